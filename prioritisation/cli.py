"""Command line: `rank`, `validate`, `template` (docs/contrats.md).

It reads its arguments into a `Request` (prioritisation.command), calls the use cases and
prints what they found; nothing else. Exit status: 0 success; 1 the inventory has errors
(each on standard error, in French, one per line); 2 an unusable invocation or a file that
cannot be read or is refused as unsafe. Never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from prioritisation import usecases
from prioritisation.command import UsageError, build_parser, request_from
from prioritisation.french import UnreadableValue, format_number, parse_number
from prioritisation.planning.schedule import InvalidPlan
from prioritisation.problems import Problem, group_problems
from prioritisation.ranking.methods import InvalidSettings
from prioritisation.ranking.priorities import CannotRank
from prioritisation.reading.fields import FIELDS_BY_KEY, UnknownOverride
from prioritisation.reading.inventory import Inventory
from prioritisation.reading.untrusted import MB, FileRefused, ReadLimits
from prioritisation.request import Request

OK, DATA_ERRORS, UNUSABLE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(build_parser().parse_args(argv))
    except (
        UsageError,
        FileRefused,
        UnknownOverride,
        InvalidSettings,
        InvalidPlan,
        UnreadableValue,
    ) as problem:
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
    request = request_from(arguments)
    output = _output_path(arguments.output) if arguments.command == "rank" else None
    inventory = _load(request, _limits(arguments.max_size_mb))
    for note in inventory.notes:
        print(f"Note : {note}", file=sys.stderr)
    if arguments.command == "validate":
        return _report_validation(inventory, request)
    assert output is not None
    return _rank(request, inventory, output)


def _limits(max_size_mb: str) -> ReadLimits:
    size = parse_number(max_size_mb)
    if size is None or size <= 0:
        raise UsageError("--max-size-mb : indiquez une taille positive, en mégaoctets (ex. 20).")
    return ReadLimits(max_file_bytes=int(size * MB))


def _load(request: Request, limits: ReadLimits) -> Inventory:
    workbook = usecases.open_workbook(Path(request.inventory), Path(request.inventory).name, limits)
    return usecases.read_inventory(workbook, request.reading)


def _report_validation(inventory: Inventory, request: Request) -> int:
    print(mapping_report(inventory))
    found = usecases.validation_problems(inventory, request)
    _print_grouped(found)
    _print_excluded(usecases.ranked_inventory(inventory, request))
    errors = sum(problem.is_error for problem in found)
    projects = format_number(len(usecases.ranked_inventory(inventory, request).projects))
    if errors:
        print(
            f"{projects} projet(s), {format_number(errors)} erreur(s) : corrigez-les avant de classer.",
            file=sys.stderr,
        )
        return DATA_ERRORS
    print(f"Inventaire valide : {projects} projet(s), {format_number(len(found))} avertissement(s).")
    return OK


def mapping_report(inventory: Inventory) -> str:
    """Where the data was found and which header feeds which field, as the user wrote it."""
    table = inventory.table
    lines = [
        f"Fichier « {table.file_name} », feuille « {table.sheet} », en-têtes ligne {table.header_row}, "
        f"{format_number(len(inventory.projects))} projet(s)."
    ]
    lines.append("Colonnes reconnues :")
    for ambiguity in inventory.mapping.ambiguities:
        lines.append(f"  À trancher : {ambiguity} (--column CHAMP=EN-TÊTE)")
    for field_key, position in sorted(inventory.mapping.positions.items(), key=lambda item: item[1]):
        lines.append(f"  {FIELDS_BY_KEY[field_key].header} ← « {table.headers[position]} »")
    kept = [h or "(sans titre)" for i, h in enumerate(table.headers) if inventory.mapping.field_at(i) is None]
    if kept:
        lines.append("Colonnes conservées telles quelles : " + ", ".join(f"« {h} »" for h in kept))
    return "\n".join(lines)


def _rank(request: Request, inventory: Inventory, output: Path) -> int:
    try:
        ranking = usecases.rank(inventory, request)
    except CannotRank as refused:
        _print_grouped(refused.problems)
        hint = "" if request.reading.skip_error_rows else " (ou classez sans elles : --skip-error-rows)"
        print(f"Classement impossible : corrigez les erreurs ci-dessus{hint}.", file=sys.stderr)
        return DATA_ERRORS
    _print_grouped(list(ranking.problems))
    _print_excluded(ranking.inventory)
    plan = usecases.plan(ranking, request.plan)
    _print_problems(list(plan.problems))
    for breach in plan.ceilings:
        print(f"Plafond dépassé : {breach}", file=sys.stderr)
    robustness = usecases.robustness(ranking, request)
    output.write_bytes(usecases.workbook_bytes(ranking, plan, request, robustness=robustness))
    best = ranking.summary().iloc[0]
    retained = len(plan.calendar.retained)
    print(
        f"{format_number(len(ranking.inventory.projects))} projets classés ({ranking.settings.method.label}, "
        f"normalisation {ranking.result.normalisation.value}) ; premier : {best['Projet']}.\n"
        f"Plan ({plan.chosen.selection.label}, {plan.chosen.gap_text()}) : "
        f"{format_number(retained)} projet(s) retenu(s), "
        f"{format_number(len(ranking.inventory.projects) - retained)} reporté(s). Classeur écrit : {output}"
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


def _print_grouped(found: Sequence[Problem]) -> None:
    """Every problem, those of one kind in one line with their count and rows (1 085 duplicate
    titles make one line, not 1 085)."""
    for group in group_problems(found):
        print(group, file=sys.stderr)


def _print_excluded(inventory: Inventory) -> None:
    if inventory.excluded_rows:
        print(
            f"{format_number(len(inventory.excluded_rows))} ligne(s) écartée(s) car en erreur "
            "(classement sans les lignes en erreur) :",
            file=sys.stderr,
        )
        for row in inventory.excluded_rows:
            print(f"  {row}", file=sys.stderr)


def _fail(message: str, status: int) -> int:
    print(message, file=sys.stderr)
    return status
