"""The command line's grammar: arguments ↔ `Request`, and the equivalent command a user can paste.

`parse_request` reads the arguments of `rank` and `validate` into a `Request`;
`request_arguments` writes a request back as arguments; `command_line` quotes them for the
shell the user pastes into — POSIX shells (bash, zsh: `shlex`) or PowerShell (Windows) — so
that no file name, sheet or header can run anything (« inv$(touch X).csv » stays a name).
`parse_request(request_arguments(r)) == r` for every request (tests/test_command.py).
Defaults live in the request's dataclasses, never here. See docs/contrats.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shlex
from collections.abc import Sequence
from enum import Enum
from typing import NoReturn

from prioritisation import __version__
from prioritisation.french import (
    UnreadableValue,
    exact_number,
    exact_percent,
    format_percent,
    parse_amount,
    parse_month,
    parse_number,
    parse_year_amounts,
    split_items,
    split_pairs,
)
from prioritisation.planning.durations import (
    DefaultsBy,
    DurationDefaults,
    cost_bands_text,
    parse_cost_bands,
    parse_type_durations,
    type_durations_text,
)
from prioritisation.planning.funding import (
    SOURCE_LABELS,
    FundingRules,
    RegionCategory,
    parse_percent,
    parse_region,
    source_of,
)
from prioritisation.planning.portfolio import Selection, StartGrid
from prioritisation.planning.schedule import InvalidPlan, PlanSettings
from prioritisation.ranking.criteria import (
    DEFAULT_CRITERIA,
    Criterion,
    RankingSettings,
    display_name,
    parse_criteria,
    parse_weights,
)
from prioritisation.ranking.methods import InvalidSettings, Method, Normalisation
from prioritisation.ranking.robustness import RobustnessSettings, Sampling
from prioritisation.reading.inventory import Scale
from prioritisation.reading.scores import ScoreWords
from prioritisation.request import DEFAULT_TIME_LIMIT, PlanOptions, ReadingOptions, Request, this_month

PROGRAM = "python -m prioritisation"


class UsageError(Exception):
    """An unusable invocation (exit status 2); the message is French."""


class Shell(Enum):
    POSIX = "bash"  # bash, zsh, sh: Linux, macOS, Git Bash
    POWERSHELL = "powershell"  # Windows

    @property
    def label(self) -> str:
        return {Shell.POSIX: "bash / zsh (Linux, macOS)", Shell.POWERSHELL: "PowerShell (Windows)"}[self]


# --- Parsing ---------------------------------------------------------------------------------

_ARGPARSE_FRENCH = (
    (r"the following arguments are required: (.*)", r"arguments obligatoires manquants : \1"),
    (
        r"argument (\S+): invalid choice: '?([^']*)'? \(choose from (.*)\)",
        r"\1 : choix invalide « \2 » (possibles : \3)",
    ),
    (r"argument (\S+): expected one argument", r"\1 : une valeur est attendue"),
    (r"unrecognized arguments: (.*)", r"arguments inconnus : \1"),
    (r"argument (\S+): (.*)", r"\1 : \2"),
)


class _FrenchParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        for pattern, french in _ARGPARSE_FRENCH:
            if re.match(pattern, message):
                message = re.sub(pattern, french, message, count=1)
                break
        raise UsageError(f"{message}\nVoir : {self.prog} --help")


class _FrenchHelp(argparse.HelpFormatter):
    def add_usage(
        self, usage: str | None, actions: object, groups: object, prefix: str | None = None
    ) -> None:
        # argparse passes prefix="" when it makes a subcommand's name: keep it empty there
        shown = "Utilisation : " if prefix is None else prefix
        super().add_usage(usage, actions, groups, shown)  # type: ignore[arg-type]


def build_parser() -> argparse.ArgumentParser:
    parser = _FrenchParser(
        prog=PROGRAM,
        description="Classe les projets d'un inventaire de feuille de route numérique.",
        formatter_class=_FrenchHelp,
        add_help=False,
    )
    _help(parser)
    parser.add_argument("--version", action="version", version=f"prioritisation {__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_FrenchParser, title="commandes"
    )
    rank = commands.add_parser(
        "rank",
        help="classer l'inventaire, planifier et écrire le classeur",
        formatter_class=_FrenchHelp,
        add_help=False,
    )
    _request_options(rank)
    rank.add_argument("-o", "--output", required=True, help="classeur à écrire (.xlsx)")
    validate = commands.add_parser(
        "validate", help="vérifier l'inventaire sans le classer", formatter_class=_FrenchHelp, add_help=False
    )
    _request_options(validate)
    template = commands.add_parser(
        "template", help="écrire le modèle d'inventaire vierge", formatter_class=_FrenchHelp, add_help=False
    )
    _help(template)
    template.add_argument("output", help="classeur à écrire (.xlsx)")
    return parser


def _help(parser: argparse.ArgumentParser) -> None:
    parser._optionals.title = "options"
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")


def _request_options(command: argparse.ArgumentParser) -> None:
    _help(command)
    command.add_argument("inventory", help="inventaire (.xlsx, .xlsm, .ods, .csv)")
    command.add_argument("--max-size-mb", default="20", help="taille maximale du fichier, en Mo (défaut 20)")
    reading = command.add_argument_group("lecture")
    reading.add_argument("--sheet", help="feuille à lire (défaut : trouvée automatiquement)")
    reading.add_argument(
        "--column", action="append", default=[], metavar="CHAMP=EN-TÊTE",
        help="lire un champ dans cette colonne (répétable) ; CHAMP= sans en-tête : aucune colonne",
    )  # fmt: skip
    reading.add_argument("--scale", help="échelle des notes, MIN-MAX (défaut 1-5)")
    reading.add_argument(
        "--score-words",
        help='notes écrites en mots, ex. "faible=1;moyenne=3;forte=5" (défaut : d\'après le fichier)',
    )
    reading.add_argument(
        "--score-word", action="append", default=[], metavar="MOT=NOTE",
        help="un mot par option, pour un mot qui contient « ; » ou « = » (répétable)",
    )  # fmt: skip
    reading.add_argument(
        "--skip-error-rows",
        action="store_true",
        help="classer sans les lignes en erreur (elles sont listées, et dans la feuille Paramètres)",
    )
    ranking = command.add_argument_group("classement")
    ranking.add_argument("--criteria", help='ex. "Urgence:max,Impact:max,Faisabilité:max"')
    ranking.add_argument(
        "--criterion", action="append", default=[], metavar="EN-TÊTE:SENS",
        help="un critère par option, pour un en-tête qui contient une virgule (répétable)",
    )  # fmt: skip
    ranking.add_argument("--weights", help='ex. "Urgence=40,Impact=35,Faisabilité=25"')
    ranking.add_argument("--weight", action="append", default=[], metavar="EN-TÊTE=POIDS", help="répétable")
    ranking.add_argument("--method", choices=[m.value for m in Method])
    ranking.add_argument(
        "--normalisation",
        choices=[n.value for n in Normalisation],
        help="défaut : scale (somme pondérée), vector (TOPSIS), minmax (VIKOR)",
    )
    ranking.add_argument("--vikor-v", help="VIKOR : poids de la stratégie de groupe, de 0 à 1 (défaut 0,5)")
    robustness = command.add_argument_group("robustesse (feuille Robustesse du classeur)")
    robustness.add_argument(
        "--robustness", metavar="TIRAGES", help="tirages de poids, ex. 10000 (défaut : pas d'analyse)"
    )
    robustness.add_argument(
        "--robustness-seed", help=f"graine du tirage (défaut {RobustnessSettings().seed})"
    )
    robustness.add_argument(
        "--robustness-sampling", choices=[s.value for s in Sampling if s is not Sampling.GIVEN],
        help="uniform : tous les jeux de poids (défaut) ; around : autour des poids donnés",
    )  # fmt: skip
    robustness.add_argument("--robustness-spread", help="écart autour des poids, en points de %% (défaut 10)")
    robustness.add_argument("--top-n", help="les N premiers dont on mesure la stabilité (défaut 10)")
    plan = command.add_argument_group("plan (calendrier et budget)")
    plan.add_argument("--start", help="premier mois du plan, AAAA-MM (défaut : le mois en cours)")
    plan.add_argument("--horizon-years", help="durée du plan en années (défaut 6)")
    plan.add_argument("--envelope", help='enveloppes d\'investissement, ex. "2026=250000,2027=1,2 M€"')
    plan.add_argument("--capacity", help="projets menés de front au plus (défaut : sans limite)")
    plan.add_argument("--phase-months", help="durées par défaut des phases, en mois, ex. 4,12,18")
    plan.add_argument("--cost-split", help="part du coût par phase, en %%, ex. 15,35,50")
    plan.add_argument("--review-every", help="années entre deux évaluations, de 3 à 5 (défaut 4)")
    plan.add_argument(
        "--durations", choices=[by.value for by in DefaultsBy],
        help="durées des projets qui n'en donnent pas : same (défaut), cost (selon le coût), "
        "type (selon une colonne)",
    )  # fmt: skip
    plan.add_argument("--cost-bands", help='phases par tranche de coût, ex. "10000=1/1/2;100000=2/4/6"')
    plan.add_argument("--type-column", help="colonne qui donne le type de projet (avec --durations type)")
    plan.add_argument("--type-durations", help='phases par type, ex. "Matériel=1/1/2;Réseau=3/9/24"')
    plan.add_argument(
        "--selection",
        choices=[selection.value for selection in Selection],
        help="ranking : dans l'ordre du classement (défaut) ; optimal : le meilleur total (solveur HiGHS)",
    )
    plan.add_argument(
        "--start-grid",
        choices=[grid.option for grid in StartGrid],
        help="démarrages possibles pour l'optimum : year (début d'année, défaut) ou quarter (trimestre)",
    )
    plan.add_argument("--must-do", action="append", default=[], help="projets à retenir, ex. P01,P07")
    plan.add_argument("--exclude", action="append", default=[], help="projets à écarter, ex. P12")
    plan.add_argument("--time-limit", help="secondes laissées au solveur (défaut 10)")
    funding = command.add_argument_group("financements")
    funding.add_argument("--own-share", help="part propre minimale, %% du financement public (défaut 20)")
    funding.add_argument(
        "--region",
        help="catégorie de région pour le taux FEDER 2021-2027 : "
        + ", ".join(  # « % » doubled: argparse formats help texts with « % »
            f"{category.option} ({format_percent(category.feder_max_share)})".replace("%", "%%")
            for category in RegionCategory
        ),
    )
    funding.add_argument(
        "--feder-rate", help="taux FEDER fixé par la Région pour l'opération, en %% (prime sur la catégorie)"
    )
    funding.add_argument(
        "--overseas", action="store_true",
        help="collectivité d'outre-mer exemptée de part minimale (CGCT L1111-10 III)",
    )  # fmt: skip
    funding.add_argument(
        "--ceiling", action="append", default=[], help='plafond sur le plan, ex. "FEDER=200000"'
    )
    funding.add_argument(
        "--yearly-ceiling", action="append", default=[], help='plafond annuel, ex. "DETR=50000"'
    )


def _region_option(category: RegionCategory) -> str:
    return category.name.lower().replace("_", "-")


def parse_request(argv: Sequence[str], today: dt.date | None = None) -> tuple[argparse.Namespace, Request]:
    """The parsed arguments and the request they make; UsageError (French) for a bad invocation."""
    arguments = build_parser().parse_args(argv)
    if arguments.command == "template":
        raise UsageError("« template » ne classe rien : il n'a pas de requête.")
    return arguments, request_from(arguments, today)


def request_from(arguments: argparse.Namespace, today: dt.date | None = None) -> Request:
    try:
        return Request(
            inventory=arguments.inventory,
            reading=_reading(arguments),
            ranking=_ranking(arguments),
            plan=_plan(arguments, today),
            robustness=_robustness(arguments),
        )
    except (UnreadableValue, InvalidSettings, InvalidPlan) as problem:
        raise UsageError(str(problem)) from problem


def _reading(arguments: argparse.Namespace) -> ReadingOptions:
    columns = []
    for pair in arguments.column:
        name, equals, header = pair.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"--column « {pair} » : écrivez CHAMP=EN-TÊTE, ex. title=Nom de l'action")
        columns.append((name.strip(), header.strip()))
    scale = _scale(arguments.scale) if arguments.scale is not None else Scale()
    words = None
    if arguments.score_words is not None or arguments.score_word:
        pairs = (
            split_pairs(arguments.score_words, "MOT=NOTE, ex. faible=1;forte=5")
            if arguments.score_words
            else []
        )
        pairs += [(word, value) for word, _, value in (item.rpartition("=") for item in arguments.score_word)]
        words = _score_words(pairs)
    return ReadingOptions(
        sheet=arguments.sheet,
        columns=tuple(columns),
        scale=scale,
        score_words=words,
        skip_error_rows=arguments.skip_error_rows,
    )


def _score_words(pairs: Sequence[tuple[str, str]]) -> ScoreWords:
    values = []
    for word, value in pairs:
        number = parse_number(value)
        if number is None:
            raise UsageError(f"--score-words : « {value} » n'est pas une note (pour « {word} »).")
        values.append((word, number))
    try:
        return ScoreWords(tuple(values))
    except ValueError as problem:
        raise UsageError(f"--score-words : {problem}") from problem


_SCALE = re.compile(r"^\s*(-?[0-9][0-9.,]*)\s*-\s*(-?[0-9][0-9.,]*)\s*$")


def _scale(text: str) -> Scale:
    match = _SCALE.match(text)
    low = parse_number(match.group(1)) if match else None
    high = parse_number(match.group(2)) if match else None
    if low is None or high is None or low >= high:
        raise UsageError(f"--scale « {text} » : écrivez MIN-MAX, ex. 1-5 ou 0-10")
    return Scale(low, high)


def _ranking(arguments: argparse.Namespace) -> RankingSettings:
    criteria: tuple[Criterion, ...] = ()
    if arguments.criteria:
        criteria += parse_criteria(arguments.criteria)
    for item in arguments.criterion:
        criteria += parse_criteria(item, split=False)
    criteria = criteria or DEFAULT_CRITERIA
    weights = None
    if arguments.weights or arguments.weight:
        weights = parse_weights([*_weight_items(arguments.weights), *arguments.weight], criteria)
    method = Method(arguments.method) if arguments.method else Method.WEIGHTED_SUM
    normalisation = Normalisation(arguments.normalisation) if arguments.normalisation else None
    vikor_v = (
        _number(arguments.vikor_v, "--vikor-v")
        if arguments.vikor_v is not None
        else RankingSettings().vikor_v
    )
    return RankingSettings(criteria, weights, method, normalisation, vikor_v)


def _weight_items(text: str | None) -> list[str]:
    return [f"{name}={value}" for name, value in split_pairs(text)] if text else []


def _plan(arguments: argparse.Namespace, today: dt.date | None) -> PlanOptions:
    defaults = PlanSettings(start=this_month(today))
    settings = PlanSettings(
        start=parse_month(arguments.start) if arguments.start else defaults.start,
        horizon_years=_whole(arguments.horizon_years, "--horizon-years", defaults.horizon_years),
        envelopes=parse_year_amounts(arguments.envelope) if arguments.envelope else (),
        capacity=_whole(arguments.capacity, "--capacity", None),
        phase_months=_triple(arguments.phase_months, "--phase-months", defaults.phase_months),
        review_every_years=_whole(arguments.review_every, "--review-every", defaults.review_every_years),
        cost_split=_split(arguments.cost_split, defaults.cost_split),
        must_do=frozenset(_ids(arguments.must_do)),
        excluded=frozenset(_ids(arguments.exclude)),
    )
    rules_default = FundingRules()
    own_share = _number(arguments.own_share, "--own-share") if arguments.own_share is not None else None
    if own_share is not None and not 0 <= own_share <= 100:
        raise UsageError("--own-share : un pourcentage entre 0 et 100, ex. 20 ou 30.")
    rules = FundingRules(
        min_own_share=own_share / 100 if own_share is not None else rules_default.min_own_share,
        region=parse_region(arguments.region) if arguments.region else rules_default.region,
        total_ceilings=_ceilings(arguments.ceiling, "Plafond"),
        yearly_ceilings=_ceilings(arguments.yearly_ceiling, "Plafond annuel"),
        feder_rate=parse_percent(arguments.feder_rate, "--feder-rate") if arguments.feder_rate else None,
        overseas=arguments.overseas,
    )
    time_limit = _number(arguments.time_limit, "--time-limit") if arguments.time_limit else DEFAULT_TIME_LIMIT
    if time_limit <= 0:
        raise UsageError("--time-limit : un nombre de secondes positif.")
    return PlanOptions(
        settings=settings,
        rules=rules,
        selection=Selection(arguments.selection) if arguments.selection else Selection.RANKING,
        grid=next(g for g in StartGrid if g.option == arguments.start_grid)
        if arguments.start_grid
        else StartGrid.YEAR,
        time_limit=time_limit,
        durations=_durations(arguments),
    )


def _durations(arguments: argparse.Namespace) -> DurationDefaults:
    """--durations, --cost-bands, --type-column, --type-durations: the defaults of projects
    that give no duration (the defaults of `DurationDefaults` for what is not given)."""
    defaults = DurationDefaults()
    return DurationDefaults(
        by=DefaultsBy(arguments.durations) if arguments.durations else defaults.by,
        cost_bands=parse_cost_bands(arguments.cost_bands) if arguments.cost_bands else defaults.cost_bands,
        type_column=arguments.type_column if arguments.type_column is not None else defaults.type_column,
        by_type=parse_type_durations(arguments.type_durations)
        if arguments.type_durations
        else defaults.by_type,
    )


def _robustness(arguments: argparse.Namespace) -> RobustnessSettings | None:
    options = (
        arguments.robustness_seed,
        arguments.robustness_sampling,
        arguments.robustness_spread,
        arguments.top_n,
    )
    if arguments.robustness is None:
        if any(option is not None for option in options):
            raise UsageError("Les options de robustesse demandent --robustness TIRAGES (ex. 10000).")
        return None
    defaults = RobustnessSettings()
    spread = (
        _number(arguments.robustness_spread, "--robustness-spread") if arguments.robustness_spread else None
    )
    return RobustnessSettings(
        draws=_count(arguments.robustness, "--robustness", defaults.draws),
        seed=_count(arguments.robustness_seed, "--robustness-seed", defaults.seed),
        sampling=Sampling(arguments.robustness_sampling)
        if arguments.robustness_sampling
        else defaults.sampling,
        spread=spread / 100 if spread is not None else defaults.spread,
        top_n=_count(arguments.top_n, "--top-n", defaults.top_n),
    )


def _count(text: str | None, option: str, default: int) -> int:
    whole = _whole(text, option, default)
    return default if whole is None else whole


def _number(text: str, option: str) -> float:
    number = parse_number(text)
    if number is None:
        raise UsageError(f"{option} : « {text} » n'est pas un nombre.")
    return number


def _whole(text: str | None, option: str, default: int | None) -> int | None:
    if text is None:
        return default
    number = parse_number(text)
    if number is None or not float(number).is_integer():
        raise UsageError(f"{option} : « {text} » n'est pas un nombre entier.")
    return int(number)


def _triple(text: str | None, option: str, default: tuple[int, int, int]) -> tuple[int, int, int]:
    if text is None:
        return default
    values = [_whole(part, option, None) for part in re.split(r"[,;/ ]+", text.strip()) if part]
    if len(values) != 3:
        raise UsageError(f"{option} : trois nombres entiers, un par phase, ex. 4,12,18.")
    return (int(values[0]), int(values[1]), int(values[2]))  # type: ignore[arg-type]


def _split(text: str | None, default: tuple[float, float, float]) -> tuple[float, float, float]:
    if text is None:
        return default
    separators = r"[;/]" if re.search(r"[;/]", text) else r","  # with ; or /, a comma is decimal
    parts = [parse_number(part) for part in re.split(separators, text.strip()) if part.strip()]
    if len(parts) != 3 or any(part is None or part < 0 for part in parts):
        raise UsageError("--cost-split : trois pourcentages, un par phase, ex. 15,35,50.")
    total = sum(parts)  # type: ignore[arg-type]
    if abs(total - 100) > 1e-9:
        raise UsageError(f"--cost-split : les trois parts font {exact_number(total)} % ; il faut 100 %.")
    return tuple(part / 100 for part in parts)  # type: ignore[return-value, operator]


def _ids(items: Sequence[str]) -> list[str]:
    return [work_id for item in items for work_id in split_items(item)]


def _ceilings(items: Sequence[str], what: str) -> tuple[tuple[str, float], ...]:
    ceilings: dict[str, float] = {}
    for item in items:
        for name, amount in split_pairs(item):
            source = source_of(name)
            if source is None:
                known = ", ".join(SOURCE_LABELS.values())
                raise UsageError(f"« {name} » n'est pas une source de financement ({known}).")
            ceilings[source] = parse_amount(amount, f"{what} {SOURCE_LABELS[source]}")
    return tuple(sorted(ceilings.items()))


# --- Writing -----------------------------------------------------------------------------------


def request_arguments(request: Request, output: str | None = "classement.xlsx") -> list[str]:
    """The arguments of `rank` that make `request` (what differs from the defaults, plus the start)."""
    dashed = request.inventory.startswith("-")  # would read as an option: after « -- », last
    arguments = ["rank"] if dashed else ["rank", request.inventory]
    arguments += _reading_arguments(request.reading)
    arguments += _ranking_arguments(request.ranking)
    arguments += _plan_arguments(request.plan)
    arguments += _robustness_arguments(request.robustness)
    if output is not None:
        arguments += ["-o", output]
    return [*arguments, "--", request.inventory] if dashed else arguments


def _opt(option: str, value: str) -> list[str]:
    """An option and its value; a value that starts with « - » is attached (« --sheet=-x »), or
    it would read as another option."""
    return [f"{option}={value}"] if value.startswith("-") else [option, value]


def _reading_arguments(reading: ReadingOptions) -> list[str]:
    arguments = []
    if reading.sheet is not None:
        arguments += _opt("--sheet", reading.sheet)
    for field_key, header in reading.columns:
        arguments += _opt("--column", f"{field_key}={header}")
    if reading.scale != Scale():
        arguments += _opt("--scale", f"{exact_number(reading.scale.low)}-{exact_number(reading.scale.high)}")
    if reading.score_words is not None:
        items = [f"{word}={exact_number(value)}" for word, value in reading.score_words.values]
        if all(_listable(word) for word in reading.score_words.words):
            arguments += _opt("--score-words", ";".join(items))
        else:
            for item in items:
                arguments += _opt("--score-word", item)
    if reading.skip_error_rows:
        arguments.append("--skip-error-rows")
    return arguments


def _ranking_arguments(settings: RankingSettings) -> list[str]:
    arguments: list[str] = []
    names = [display_name(c.name) for c in settings.criteria]
    if settings.criteria != DEFAULT_CRITERIA:
        items = [
            f"{name}:{'max' if c.maximise else 'min'}"
            for name, c in zip(names, settings.criteria, strict=True)
        ]
        if all(_listable(name) for name in names):
            arguments += _opt("--criteria", ",".join(items))
        else:
            for item in items:
                arguments += _opt("--criterion", item)
    if settings.weights is not None:
        items = [f"{name}={exact_number(w)}" for name, w in zip(names, settings.weights, strict=True)]
        if all(_listable(name) for name in names):
            arguments += _opt("--weights", ";".join(items))
        else:
            for item in items:
                arguments += _opt("--weight", item)
    if settings.method is not Method.WEIGHTED_SUM:
        arguments += _opt("--method", settings.method.value)
    if settings.normalisation is not None:
        arguments += _opt("--normalisation", settings.normalisation.value)
    if settings.vikor_v != RankingSettings().vikor_v:
        arguments += _opt("--vikor-v", exact_number(settings.vikor_v))
    return arguments


def _listable(name: str) -> bool:
    """A name that survives the list forms (--criteria, --weights) without ambiguity."""
    return not re.search(r"[,;=:\n]", name) and name == name.strip()


def _plan_arguments(plan: PlanOptions) -> list[str]:
    settings, defaults = plan.settings, PlanSettings(start=plan.settings.start)
    arguments = _opt("--start", f"{settings.start:%Y-%m}")
    if settings.horizon_years != defaults.horizon_years:
        arguments += _opt("--horizon-years", str(settings.horizon_years))
    if settings.envelopes:
        arguments += _opt(
            "--envelope", ";".join(f"{year}={exact_number(a)}" for year, a in settings.envelopes)
        )
    if settings.capacity is not None:
        arguments += _opt("--capacity", str(settings.capacity))
    if settings.phase_months != defaults.phase_months:
        arguments += _opt("--phase-months", ",".join(str(m) for m in settings.phase_months))
    if settings.cost_split != defaults.cost_split:
        arguments += _opt("--cost-split", ";".join(exact_percent(share) for share in settings.cost_split))
    if settings.review_every_years != defaults.review_every_years:
        arguments += _opt("--review-every", str(settings.review_every_years))
    if plan.selection is not Selection.RANKING:
        arguments += _opt("--selection", plan.selection.value)
    if plan.grid is not StartGrid.YEAR:
        arguments += _opt("--start-grid", plan.grid.option)
    for option, ids in (("--must-do", settings.must_do), ("--exclude", settings.excluded)):
        if ids:
            arguments += _opt(option, ",".join(sorted(ids)))
    durations, default_durations = plan.durations, DurationDefaults()
    if durations.by is not default_durations.by:
        arguments += _opt("--durations", durations.by.value)
    if durations.cost_bands != default_durations.cost_bands:
        arguments += _opt("--cost-bands", cost_bands_text(durations.cost_bands))
    if durations.type_column is not None:
        arguments += _opt("--type-column", durations.type_column)
    if durations.by_type:
        arguments += _opt("--type-durations", type_durations_text(durations.by_type))
    if plan.time_limit != DEFAULT_TIME_LIMIT:
        arguments += _opt("--time-limit", exact_number(plan.time_limit))
    arguments += _rules_arguments(plan.rules)
    return arguments


def _robustness_arguments(settings: RobustnessSettings | None) -> list[str]:
    if settings is None:
        return []
    defaults = RobustnessSettings()
    arguments = _opt("--robustness", str(settings.draws))
    if settings.seed != defaults.seed:
        arguments += _opt("--robustness-seed", str(settings.seed))
    if settings.sampling is not defaults.sampling:
        arguments += _opt("--robustness-sampling", settings.sampling.value)
    if settings.spread != defaults.spread:
        arguments += _opt("--robustness-spread", exact_percent(settings.spread))
    if settings.top_n != defaults.top_n:
        arguments += _opt("--top-n", str(settings.top_n))
    return arguments


def _rules_arguments(rules: FundingRules) -> list[str]:
    defaults = FundingRules()
    arguments = []
    if rules.min_own_share != defaults.min_own_share:
        arguments += _opt("--own-share", exact_percent(rules.min_own_share))
    if rules.region is not defaults.region:
        arguments += _opt("--region", rules.region.option)
    if rules.feder_rate is not None:
        arguments += _opt("--feder-rate", exact_percent(rules.feder_rate))
    if rules.overseas:
        arguments.append("--overseas")
    for option, ceilings in (
        ("--ceiling", rules.total_ceilings),
        ("--yearly-ceiling", rules.yearly_ceilings),
    ):
        for source, amount in ceilings:
            arguments += _opt(option, f"{SOURCE_LABELS[source]}={exact_number(amount)}")
    return arguments


def command_line(request: Request, output: str = "classement.xlsx", shell: Shell = Shell.POSIX) -> str:
    """The `rank` command that gives back `request`, quoted for `shell`: paste it, nothing else runs."""
    words = ["python", "-m", "prioritisation", *request_arguments(request, output)]
    if shell is Shell.POSIX:
        return shlex.join(words)
    return " ".join(_powershell_quote(word) for word in words)


# PowerShell reads these four as single quotes too: each is doubled inside a quoted word.
_POWERSHELL_QUOTES = "'\u2018\u2019\u201a\u201b"
_POWERSHELL_PLAIN = re.compile(r"^[A-Za-z0-9_./:=+-]+$")


def _powershell_quote(word: str) -> str:
    """A single-quoted PowerShell word: no variable, no subexpression, no escape is read inside."""
    if _POWERSHELL_PLAIN.match(word):
        return word
    return "'" + "".join(char * 2 if char in _POWERSHELL_QUOTES else char for char in word) + "'"
