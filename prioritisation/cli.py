"""Command line: `rank`, `validate`, `template` (DESIGN.md §3).

It parses arguments and calls the library; nothing else. Exit status: 0 success; 1 the
inventory has errors (each on standard error, in French, one per line); 2 an unusable
invocation or a file that cannot be read or is refused as unsafe. Never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from prioritisation import __version__
from prioritisation.french import parse_number, split_items
from prioritisation.planning.funding import FundingRules, RegionCategory, funding_plans, funding_problems
from prioritisation.planning.plan import make_plan
from prioritisation.planning.portfolio import Selection, StartGrid
from prioritisation.planning.schedule import InvalidPlan, PlanSettings, parse_envelopes, parse_month
from prioritisation.problems import Problem
from prioritisation.ranking.criteria import DEFAULT_CRITERIA, RankingSettings, parse_criteria, parse_weights
from prioritisation.ranking.methods import InvalidSettings, Method, Normalisation
from prioritisation.ranking.priorities import CannotRank, check, rank_inventory
from prioritisation.reading.fields import FIELDS_BY_KEY, UnknownOverride
from prioritisation.reading.inventory import Inventory, Scale, load_inventory
from prioritisation.reading.untrusted import MB, FileRefused, ReadLimits

OK, DATA_ERRORS, UNUSABLE = 0, 1, 2


class UsageError(Exception):
    """An unusable invocation (exit status 2)."""


class _FrenchParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\nVoir : python -m prioritisation {self.prog.split()[-1]} --help")


def build_parser() -> argparse.ArgumentParser:
    parser = _FrenchParser(
        prog="python -m prioritisation",
        description="Classe les projets d'un inventaire de feuille de route numérique.",
    )
    parser.add_argument("--version", action="version", version=f"prioritisation {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_FrenchParser)

    rank = commands.add_parser("rank", help="classer l'inventaire et écrire le classeur")
    _add_inventory_options(rank)
    rank.add_argument("-o", "--output", required=True, help="classeur à écrire (.xlsx)")
    rank.add_argument("--method", choices=[m.value for m in Method], default=Method.WEIGHTED_SUM.value)
    rank.add_argument(
        "--normalisation",
        choices=[n.value for n in Normalisation],
        help="défaut : scale (somme pondérée), vector (TOPSIS), minmax (VIKOR)",
    )
    rank.add_argument("--vikor-v", type=_number, default=0.5, help="poids de la stratégie de groupe")
    plan = rank.add_argument_group("plan (calendrier et budget)")
    plan.add_argument("--start", help="premier mois du plan, AAAA-MM (défaut : le mois en cours)")
    plan.add_argument("--horizon-years", type=int, default=6, help="durée du plan en années (défaut 6)")
    plan.add_argument("--envelope", help='enveloppes d\'investissement, ex. "2026=300000;2027=1,2 M€"')
    plan.add_argument("--capacity", type=int, help="projets menés de front au plus (défaut : sans limite)")
    plan.add_argument(
        "--selection",
        choices=[selection.value for selection in Selection],
        default=Selection.RANKING.value,
        help="ranking : dans l'ordre du classement ; optimal : le meilleur total (solveur HiGHS)",
    )
    plan.add_argument(
        "--start-grid",
        choices=[grid.option for grid in StartGrid],
        default=StartGrid.YEAR.option,
        help="démarrages possibles pour l'optimum : year (début d'année, défaut) ou quarter (trimestre)",
    )
    plan.add_argument("--must-do", help="identifiants des projets à retenir quoi qu'il arrive, ex. P01,P07")
    plan.add_argument("--exclude", help="identifiants des projets à écarter, ex. P12")
    plan.add_argument(
        "--time-limit", type=_number, default=10, help="secondes laissées au solveur (défaut 10)"
    )

    validate = commands.add_parser("validate", help="vérifier l'inventaire sans le classer")
    _add_inventory_options(validate)

    template = commands.add_parser("template", help="écrire le modèle d'inventaire vierge")
    template.add_argument("output", help="classeur à écrire (.xlsx)")
    return parser


def _add_inventory_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("inventory", help="inventaire (.xlsx, .xlsm, .ods, .csv)")
    command.add_argument("--sheet", help="feuille à lire (défaut : trouvée automatiquement)")
    command.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="CHAMP=EN-TÊTE",
        help="associer un champ à un en-tête du fichier (répétable)",
    )
    command.add_argument("--criteria", help='ex. "Urgence:max,Impact:max,Faisabilité:max"')
    command.add_argument("--weights", help='ex. "Urgence=40,Impact=35,Faisabilité=25"')
    command.add_argument("--scale", default="1-5", help="échelle des notes (défaut 1-5)")
    command.add_argument("--max-size-mb", type=_number, default=20, help="taille maximale du fichier")
    command.add_argument(
        "--own-share",
        type=_number,
        default=20,
        help="part propre minimale, %% du financement public (défaut 20)",
    )
    command.add_argument(
        "--region",
        choices=[category.name.lower().replace("_", "-") for category in RegionCategory],
        default="more-developed",
        help="catégorie de région pour le plafond FEDER (défaut more-developed : 50 %%)",
    )


def _number(text: str) -> float:
    number = parse_number(text)
    if number is None:
        raise argparse.ArgumentTypeError(f"« {text} » n'est pas un nombre")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    try:
        arguments = build_parser().parse_args(argv)
        return _run(arguments)
    except UsageError as problem:
        return _fail(str(problem), UNUSABLE)
    except (FileRefused, UnknownOverride, InvalidSettings, InvalidPlan) as problem:
        return _fail(str(problem), UNUSABLE)
    except OSError as problem:
        return _fail(f"Fichier inaccessible : {problem.filename or ''} ({problem.strerror}).", UNUSABLE)
    except KeyboardInterrupt:
        return _fail("Interrompu.", UNUSABLE)
    except Exception as problem:  # a bug of ours: say so in French, never a traceback
        return _fail(
            f"Erreur interne inattendue ({type(problem).__name__} : {problem}). "
            "Merci de la signaler avec le fichier qui la provoque.",
            UNUSABLE,
        )


def _run(arguments: argparse.Namespace) -> int:
    if arguments.command == "template":
        from prioritisation.export.workbook import write_template

        write_template(_output_path(arguments.output))
        print(f"Modèle écrit : {arguments.output}")
        return OK
    inventory = _load(arguments)
    settings = _settings(arguments)
    for note in inventory.notes:
        print(f"Note : {note}", file=sys.stderr)
    if arguments.command == "validate":
        return _report_validation(inventory, settings, _rules(arguments))
    return _rank(arguments, inventory, settings)


def _load(arguments: argparse.Namespace) -> Inventory:
    if arguments.max_size_mb <= 0:
        raise UsageError("--max-size-mb : indiquez une taille positive, en mégaoctets (ex. 20).")
    limits = ReadLimits(max_file_bytes=int(arguments.max_size_mb * MB))
    return load_inventory(
        arguments.inventory,
        sheet=arguments.sheet,
        columns=_column_overrides(arguments.column),
        scale=_scale(arguments.scale),
        limits=limits,
    )


def _column_overrides(pairs: Sequence[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        field, equals, header = pair.partition("=")
        if not equals or not field.strip() or not header.strip():
            raise UsageError(f"--column « {pair} » : écrivez CHAMP=EN-TÊTE, ex. title=Nom de l'action")
        overrides[field.strip()] = header.strip()
    return overrides


def _scale(text: str) -> Scale:
    low, dash, high = text.strip().partition("-")
    low_number, high_number = parse_number(low), parse_number(high)
    if not dash or low_number is None or high_number is None or low_number >= high_number:
        raise UsageError(f"--scale « {text} » : écrivez MIN-MAX, ex. 1-5 ou 0-10")
    return Scale(low_number, high_number)


def _settings(arguments: argparse.Namespace) -> RankingSettings:
    criteria = parse_criteria(arguments.criteria) if arguments.criteria else DEFAULT_CRITERIA
    weights = parse_weights(arguments.weights, criteria) if arguments.weights else None
    if getattr(arguments, "method", None) is None:
        return RankingSettings(criteria=criteria, weights=weights)
    return RankingSettings(
        criteria=criteria,
        weights=weights,
        method=Method(arguments.method),
        normalisation=Normalisation(arguments.normalisation) if arguments.normalisation else None,
        vikor_v=arguments.vikor_v,
    )


def _rules(arguments: argparse.Namespace) -> FundingRules:
    if not 0 <= arguments.own_share <= 100:
        raise UsageError("--own-share : un pourcentage entre 0 et 100, ex. 20 ou 30.")
    region = RegionCategory[arguments.region.upper().replace("-", "_")]
    return FundingRules(min_own_share=arguments.own_share / 100, region=region)


def _plan_settings(arguments: argparse.Namespace) -> PlanSettings:
    if arguments.time_limit <= 0:
        raise UsageError("--time-limit : un nombre de secondes positif.")
    return PlanSettings(
        start=parse_month(arguments.start) if arguments.start else dt.date.today().replace(day=1),
        horizon_years=arguments.horizon_years,
        envelopes=parse_envelopes(arguments.envelope) if arguments.envelope else (),
        capacity=arguments.capacity,
        must_do=frozenset(split_items(arguments.must_do or "")),
        excluded=frozenset(split_items(arguments.exclude or "")),
    )


def _report_validation(inventory: Inventory, settings: RankingSettings, rules: FundingRules) -> int:
    print(mapping_report(inventory))
    found = check(inventory, settings) + funding_problems(inventory, funding_plans(inventory, rules))
    _print_problems(found)
    errors = sum(problem.is_error for problem in found)
    projects = len(inventory.projects)
    if errors:
        print(f"{projects} projet(s), {errors} erreur(s) : corrigez-les avant de classer.", file=sys.stderr)
        return DATA_ERRORS
    print(f"Inventaire valide : {projects} projet(s), {len(found)} avertissement(s).")
    return OK


def mapping_report(inventory: Inventory) -> str:
    """Where the data was found and which header feeds which field, as the user wrote it."""
    table = inventory.table
    lines = [
        f"Feuille « {table.sheet} », en-têtes ligne {table.header_row}, {len(inventory.projects)} projet(s)."
    ]
    lines.append("Colonnes reconnues :")
    for field_key, position in sorted(inventory.mapping.positions.items(), key=lambda item: item[1]):
        lines.append(f"  {FIELDS_BY_KEY[field_key].header} ← « {table.headers[position]} »")
    kept = [h or "(sans titre)" for i, h in enumerate(table.headers) if inventory.mapping.field_at(i) is None]
    if kept:
        lines.append("Colonnes conservées telles quelles : " + ", ".join(f"« {h} »" for h in kept))
    return "\n".join(lines)


def _rank(arguments: argparse.Namespace, inventory: Inventory, settings: RankingSettings) -> int:
    output = _output_path(arguments.output)
    plan_settings, rules = _plan_settings(arguments), _rules(arguments)
    try:
        ranking = rank_inventory(inventory, settings)
    except CannotRank as refused:
        _print_problems(refused.problems)
        print("Classement impossible : corrigez les erreurs ci-dessus.", file=sys.stderr)
        return DATA_ERRORS
    _print_problems(list(ranking.problems))
    plan = make_plan(
        ranking, plan_settings, Selection(arguments.selection), rules, time_limit=arguments.time_limit
    )
    _print_problems(list(plan.problems))
    for breach in plan.ceilings:
        print(f"Plafond dépassé : {breach}", file=sys.stderr)
    from prioritisation.export.workbook import write_ranking

    write_ranking(ranking, output, plan=plan)
    best = ranking.summary().iloc[0]
    retained = len(plan.calendar.retained)
    print(
        f"{len(inventory.projects)} projets classés ({ranking.settings.method.label}, "
        f"normalisation {ranking.result.normalisation.value}) ; premier : {best['Projet']}.\n"
        f"Plan ({plan.chosen.selection.label}, {plan.chosen.gap_text()}) : {retained} projet(s) retenu(s), "
        f"{len(inventory.projects) - retained} reporté(s). Classeur écrit : {output}"
    )
    return OK


def _output_path(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"« {text} » : le classeur écrit doit avoir l'extension .xlsx")
    if not path.parent.exists():
        raise UsageError(f"Le dossier « {path.parent} » n'existe pas.")
    return path


def _print_problems(found: Sequence[Problem]) -> None:
    for problem in found:
        print(problem, file=sys.stderr)


def _fail(message: str, status: int) -> int:
    print(message, file=sys.stderr)
    return status
