// Streamlit's own words, in French (see ui/french_interface.py for why, docs/architecture.md).
// Our pages write French; Streamlit's frontend writes English it has no option for: the page's
// language (lang="en"), the uploader's text and its refusals made in the browser, buttons'
// accessible names (« Fullscreen », « Help for … »), placeholders. Each rule names where it
// applies, so a project or a header that happens to read « Search » is never translated.
(() => {
  if (window.__interfaceEnFrancais) return;
  window.__interfaceEnFrancais = true;

  const UNITS = { B: "o", KB: "Ko", MB: "Mo", GB: "Go" };
  const size = (amount, unit) => `${amount.replace(/\.0$/, "").replace(".", ",")} ${UNITS[unit]}`;
  const SIZE = String.raw`(\d+(?:\.\d+)?)(B|KB|MB|GB)`;
  const exactly = (text) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`);

  // [where (CSS selector of the element or one of its ancestors), what it says, the French]
  const TEXTS = [
    ['[data-testid="stFileUploaderDropzone"] button', exactly("Upload"), "Choisir un fichier"],
    ['[data-testid="stFileUploaderDropzoneInstructions"]', new RegExp(`^${SIZE} per file$`),
      (m) => `${size(m[1], m[2])} au plus`], // then its own text node: « • XLSX, XLSM, ODS, CSV »
    ['[data-testid="stFileChip"], [data-testid="stTooltipErrorContent"]',
      new RegExp(`^(?:Error: )?File must be ${SIZE} or smaller\\.$`),
      (m) => `Fichier refusé : il dépasse ${size(m[1], m[2])}, la taille maximale.`],
    ['[data-testid="stFileChip"]', exactly("Error:"), ""], // before the refusal, its own text node
    ['[data-testid="stFileChip"], [data-testid="stTooltipErrorContent"]', /^(?:Error: )?.* files are not allowed\.$/,
      "Fichier refusé : ce format de fichier n'est pas accepté."],
    ['[data-testid="stFileChip"]', new RegExp(`^${SIZE}$`), (m) => size(m[1], m[2])],
    ['[data-testid="stFileUploader"] button', exactly("add icon"), "ajouter"],
    ['[data-testid="stStatusWidget"]', /^Running\.*$/, "Calcul en cours…"],
    ['[data-testid="stStatusWidget"]', exactly("Stop"), "Arrêter"],
    ['[data-baseweb="popover"], [role="listbox"]', exactly("No results"), "Aucun résultat"],
  ];

  // [attribute, where, what it says, the French]
  const ATTRIBUTES = [
    ["aria-label", 'input[type="file"]', exactly("file upload"), "Choisir un fichier à importer"],
    ["aria-label", "button", /^Remove (.+)$/, (m) => `Retirer ${m[1]}`],
    ["aria-label", "button", exactly("Add files"), "Ajouter un fichier"],
    ["aria-label", '[data-testid="stFileChip"]', new RegExp(`^(.+), ${SIZE}$`), (m) => `${m[1]}, ${size(m[2], m[3])}`],
    ["aria-label", "button", /^Help for (.+)$/, (m) => `Aide : ${m[1]}`],
    ["aria-label", "button", exactly("Collapse sidebar"), "Replier le menu"],
    ["aria-label", "button", exactly("Expand sidebar"), "Déplier le menu"],
    ["aria-label", "section", exactly("Sidebar"), "Menu latéral"],
    ["aria-label", "nav, ul", exactly("App pages"), "Pages du tableau de bord"],
    ["aria-label", "button", exactly("Main menu"), "Menu principal"],
    ["aria-label", "button", exactly("Copy to clipboard"), "Copier dans le presse-papiers"],
    ["aria-label", "button", exactly("Decrement"), "Diminuer"],
    ["aria-label", "button", exactly("Increment"), "Augmenter"],
    ["aria-label", "button", exactly("Download as CSV"), "Télécharger en CSV"],
    ["aria-label", "button", exactly("Fullscreen"), "Plein écran"],
    ["aria-label", "button", exactly("Close fullscreen"), "Quitter le plein écran"],
    ["aria-label", "button", exactly("Search"), "Rechercher"],
    ["aria-label", "button", exactly("Show/hide columns"), "Afficher ou masquer des colonnes"],
    ["aria-label", "a", exactly("Link to heading"), "Lien vers ce titre"],
    ["aria-label", "button, svg", exactly("Open"), "Ouvrir"],
    ["aria-label", "button, svg", exactly("Close"), "Fermer"],
    ["aria-label", "button, svg", exactly("Clear all"), "Tout effacer"],
    ["aria-label", "button, svg", exactly("Clear value"), "Effacer"],
    ["placeholder", "input", exactly("Choose an option"), "Choisir"],
    ["placeholder", "input", exactly("Choose options"), "Choisir"],
  ];

  // A widget's label is Markdown: we escape what a file brings (« URGENCE \(1 à 5\) »), and
  // Streamlit copies that text into aria-label, where a screen reader would say the backslashes.
  const MARKDOWN_ESCAPE = /\\([\\`*_{}[\]()#+\-.!|~<>$])/g;

  const translated = (rules, text, element) => {
    for (const [where, pattern, french] of rules) {
      const match = pattern.exec(text);
      if (match && element.closest(where)) return typeof french === "function" ? french(match) : french;
    }
    return null;
  };

  const translateText = (node) => {
    const text = node.data.trim();
    if (!text || !node.parentElement) return;
    const french = translated(TEXTS, text, node.parentElement);
    if (french !== null && french !== text) node.data = french;
  };

  // What we wrote, so that our own change, observed in turn, is not unescaped a second time.
  const written = new WeakMap();

  const translateAttributes = (element) => {
    for (const name of ["aria-label", "placeholder"]) {
      const value = element.getAttribute(name);
      if (!value || written.get(element)?.[name] === value) continue;
      const rules = ATTRIBUTES.filter(([attribute]) => attribute === name).map((rule) => rule.slice(1));
      let french = translated(rules, value, element) ?? value;
      if (name === "aria-label") french = french.replace(MARKDOWN_ESCAPE, "$1");
      if (french === value) continue;
      written.set(element, { ...written.get(element), [name]: french });
      element.setAttribute(name, french);
    }
  };

  const translateTree = (root) => {
    if (root.nodeType === Node.TEXT_NODE) return translateText(root);
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    translateAttributes(root);
    for (const element of root.querySelectorAll("[aria-label], [placeholder]")) translateAttributes(element);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) translateText(walker.currentNode);
  };

  const french = () => {
    if (document.documentElement.lang !== "fr") document.documentElement.lang = "fr";
  };

  new MutationObserver((mutations) => {
    french();
    for (const mutation of mutations) {
      if (mutation.type === "childList") mutation.addedNodes.forEach(translateTree);
      else if (mutation.type === "characterData") translateText(mutation.target);
      else if (mutation.target !== document.documentElement) translateAttributes(mutation.target);
    }
  }).observe(document.documentElement, {
    subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ["aria-label", "placeholder", "lang"],
  });
  french();
  translateTree(document.body);
})();
