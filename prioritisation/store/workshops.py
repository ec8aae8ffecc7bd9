"""Workshops, their participants and their votes (issue 11), on SQLite or PostgreSQL.

Three kinds of people, three kinds of key:
- the facilitator holds a secret returned once when the workshop opens (only its hash is
  stored); every facilitator action and the results need it;
- participants join with the short join code and a display name, and get their own secret
  (hashed too), which finds their vote again after a reload or a lost connection and gives
  access to nothing else — no participant can read or change another's vote;
- the join code only lets someone join, and only while the workshop is not ended.

A vote carries the revision the participant's page last saw: a replayed or stale request
is refused (StaleRevision, French message, with the current vote), and a malformed one is
refused before anything is stored (Refused). Ending a workshop erases the participants'
names and secrets and frees the join code; the anonymous votes stay for the results until
the workshop expires, when everything about it is deleted.

Locks, always in this order so that no two transactions wait for each other in a circle:
the workshop's row first (shared by votes, exclusive for joining and facilitator changes),
then a participant's row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from prioritisation.store import documents
from prioritisation.store.database import Database
from prioritisation.store.errors import NotFound, StaleRevision
from prioritisation.store.schema import participants, project_scores, votes, workshops
from prioritisation.store.tokens import new_secret, secret_hash
from prioritisation.store.working_states import NewFile, keep_file
from prioritisation.workshop.scoring import (
    ProjectScore,
    ScoringSetup,
    parse_scores,
    read_setup,
    setup_document,
)
from prioritisation.workshop.session import (
    NOT_A_CODE,
    FacilitatorAction,
    Refused,
    WorkshopState,
    check_can_join,
    check_can_vote,
    clean_display_name,
    clean_title,
    new_join_code,
    next_state,
    normalise_join_code,
)
from prioritisation.workshop.votes import Vote, VotingCriterion, check_criteria, parse_vote, vote_document

Clock = Callable[[], dt.datetime]
_UNKNOWN_WORKSHOP = "Aucun atelier en cours ne porte ce code : vérifiez-le auprès de l'animateur."
_UNKNOWN_FACILITATOR = "Ce lien d'animation n'est plus valable (atelier expiré ou supprimé)."
_UNKNOWN_PARTICIPANT = (
    "Ce lien de participation n'est plus valable : l'atelier est terminé ou expiré, "
    "ou l'animateur vous en a retiré. Vous pouvez rejoindre à nouveau avec le code de l'atelier."
)
_STALE_VOTE = (
    "Ce vote a déjà été remplacé par un plus récent (depuis un autre onglet, ou une demande "
    "envoyée deux fois) : votre vote actuel est affiché, modifiez-le si besoin."
)
_STALE_SCORES = (
    "Ces notes ont déjà été remplacées par des plus récentes (depuis un autre onglet, ou une "
    "demande envoyée deux fois) : vos notes actuelles sont affichées."
)


@dataclass(frozen=True)
class Workshop:
    id: int
    join_code: str | None  # None once ended
    title: str
    state: WorkshopState
    criteria: tuple[VotingCriterion, ...]
    settings: dict[str, Any]  # the dashboard's settings when the workshop opened
    file_name: str | None
    file_sha256: str | None
    scoring: ScoringSetup | None
    scoring_open: bool
    reveal_names: bool
    revision: int  # bumped by every facilitator change
    created_at: dt.datetime
    updated_at: dt.datetime
    expires_at: dt.datetime
    ended_at: dt.datetime | None


@dataclass(frozen=True)
class OpenedWorkshop:
    workshop: Workshop
    facilitator_secret: str  # shown once, kept in the facilitator's link; never stored


@dataclass(frozen=True)
class Participant:
    number: int  # 1, 2, 3… in order of joining: the room calls them « participant 3 »
    display_name: str | None  # None once the workshop ended
    joined_at: dt.datetime
    vote_revision: int  # 0 before the first vote
    scores_revision: int


@dataclass(frozen=True)
class Membership:
    """A participant as their own page sees them: their workshop and themselves."""

    workshop: Workshop
    participant: Participant


@dataclass(frozen=True)
class Joined:
    membership: Membership
    participant_secret: str  # kept in the participant's link; never stored


@dataclass(frozen=True)
class RecordedVote:
    participant_number: int
    display_name: str | None
    vote: Vote
    revision: int
    updated_at: dt.datetime


@dataclass(frozen=True)
class RecordedScore:
    participant_number: int
    project: str
    criterion: str
    score: float


@dataclass(frozen=True)
class WorkshopResults:
    """Everything the facilitator's room view shows, read in one consistent snapshot."""

    workshop: Workshop
    participants: tuple[Participant, ...]
    votes: tuple[RecordedVote, ...]  # in participant order
    scores: tuple[RecordedScore, ...]  # for the current scoring setup only

    @property
    def voters(self) -> int:
        return len(self.votes)


@dataclass(frozen=True)
class Activity:
    """A cheap fingerprint of a workshop: the room view redraws only when it changes."""

    revision: int
    participants: int
    votes: int
    last_vote_at: dt.datetime | None
    last_scores_at: dt.datetime | None


class Workshops:
    """Open, join, vote, close, end. Thread-safe; one per Store."""

    def __init__(self, database: Database, clock: Clock, on_open: Callable[[], None] = lambda: None) -> None:
        self._database = database
        self._clock = clock
        self._on_open = on_open  # the store's chance to purge expired data (hourly)
        self._lifetime = dt.timedelta(days=database.settings.workshop_days)

    # --- the facilitator -------------------------------------------------------------

    def open(
        self,
        title: str,
        criteria: Sequence[VotingCriterion],
        settings: Mapping[str, Any] | None = None,
        file: NewFile | None = None,
    ) -> OpenedWorkshop:
        """Open a workshop on the inventory (file) and settings in force; Refused if malformed."""
        self._on_open()
        chosen = check_criteria(criteria)
        name = clean_title(title)
        criteria_text = documents.encode([{"key": item.key, "label": item.label} for item in chosen])
        settings_text = documents.encode(dict(settings or {}), self._database.settings.max_document_bytes)
        secret = new_secret()
        for attempt in range(10):
            now = self._clock()
            try:
                with self._database.writing() as connection:
                    code = self._free_join_code(connection)
                    digest, _ = keep_file(self._database, connection, file, now)
                    identifier = connection.execute(
                        insert(workshops)
                        .values(
                            join_code=code,
                            facilitator_hash=secret_hash(secret),
                            title=name,
                            state=WorkshopState.OPEN.value,
                            criteria=criteria_text,
                            settings=settings_text,
                            file_sha256=digest,
                            file_name=file.name if file else None,
                            scoring=None,
                            scoring_open=False,
                            reveal_names=False,
                            revision=1,
                            joined=0,
                            created_at=now,
                            updated_at=now,
                            expires_at=now + self._lifetime,
                            ended_at=None,
                        )
                        .returning(workshops.c.id)
                    ).scalar_one()
                    workshop = _workshop(self._row(connection, workshops.c.id == identifier))
                return OpenedWorkshop(workshop, secret)
            except IntegrityError:
                # Two workshops drew the same free code at once (PostgreSQL), or the purge
                # removed the file meanwhile: draw again.
                if attempt == 9:
                    raise
        raise AssertionError("unreachable")

    def for_facilitator(self, facilitator_secret: str) -> Workshop:
        with self._database.reading() as connection:
            return _workshop(self._facilitated_row(connection, facilitator_secret))

    def close_vote(self, facilitator_secret: str) -> Workshop:
        return self._act(facilitator_secret, FacilitatorAction.CLOSE)

    def reopen_vote(self, facilitator_secret: str) -> Workshop:
        return self._act(facilitator_secret, FacilitatorAction.REOPEN)

    def end(self, facilitator_secret: str) -> Workshop:
        """End the workshop: no more votes, the join code freed, the names and secrets erased."""
        ended = self._act(facilitator_secret, FacilitatorAction.END)
        self._database.forget_erased()
        return ended

    def reveal_names(self, facilitator_secret: str, reveal: bool) -> Workshop:
        return self._change(facilitator_secret, None, reveal_names=bool(reveal))

    def set_scoring(
        self, facilitator_secret: str, setup: ScoringSetup | None, open_now: bool = True
    ) -> Workshop:
        """Choose the projects and criteria to score (None: no scoring) and open it or not.

        Scores already given stay stored; the results show those of the current setup.
        """
        if setup is None:
            return self._change(facilitator_secret, None, scoring=None, scoring_open=False)
        return self._change(
            facilitator_secret,
            None,
            scoring=documents.encode(setup_document(setup)),
            scoring_open=bool(open_now),
        )

    def open_scoring(self, facilitator_secret: str, is_open: bool) -> Workshop:
        def check(row: Row[Any]) -> None:
            if is_open and row.scoring is None:
                raise Refused("Choisissez d'abord les projets et les critères à noter.")

        return self._change(facilitator_secret, check, scoring_open=bool(is_open))

    def remove_participant(self, facilitator_secret: str, participant_number: int) -> bool:
        """Remove a participant and everything they gave (their name, vote and scores)."""
        with self._database.writing() as connection:
            row = self._facilitated_row(connection, facilitator_secret, lock=True)
            removed = connection.execute(
                delete(participants).where(
                    participants.c.workshop_id == row.id, participants.c.number == participant_number
                )
            ).rowcount
            if removed:
                self._bump(connection, row.id)
        if removed:
            self._database.forget_erased()
        return removed > 0

    def delete(self, facilitator_secret: str) -> bool:
        """Delete the workshop now, with its participants, votes and scores."""
        with self._database.writing() as connection:
            row = self._facilitated_row(connection, facilitator_secret, lock=True)
            connection.execute(delete(workshops).where(workshops.c.id == row.id))
        self._database.forget_erased()
        return True

    def results(self, facilitator_secret: str) -> WorkshopResults:
        """The workshop, its participants, their votes and scores, in one snapshot."""
        with self._database.reading() as connection:
            workshop = _workshop(self._facilitated_row(connection, facilitator_secret))
            people = connection.execute(
                select(participants)
                .where(participants.c.workshop_id == workshop.id)
                .order_by(participants.c.number)
            ).all()
            vote_rows = connection.execute(
                select(
                    votes, participants.c.number, participants.c.display_name, participants.c.vote_revision
                )
                .join(participants, participants.c.id == votes.c.participant_id)
                .where(participants.c.workshop_id == workshop.id)
                .order_by(participants.c.number)
            ).all()
            score_rows = connection.execute(
                select(project_scores, participants.c.number)
                .join(participants, participants.c.id == project_scores.c.participant_id)
                .where(participants.c.workshop_id == workshop.id)
                .order_by(participants.c.number, project_scores.c.project, project_scores.c.criterion)
            ).all()
        return WorkshopResults(
            workshop=workshop,
            participants=tuple(_participant(row) for row in people),
            votes=tuple(_recorded_vote(row, row, workshop) for row in vote_rows),
            scores=_current_scores(score_rows, workshop.scoring),
        )

    def activity(self, facilitator_secret: str) -> Activity:
        with self._database.reading() as connection:
            row = self._facilitated_row(connection, facilitator_secret)
            counted = connection.execute(
                select(
                    func.count(participants.c.id),
                    func.count(votes.c.participant_id),
                    func.max(votes.c.updated_at),
                )
                .select_from(participants.outerjoin(votes, votes.c.participant_id == participants.c.id))
                .where(participants.c.workshop_id == row.id)
            ).one()
            last_scores = connection.execute(
                select(func.max(project_scores.c.updated_at))
                .join(participants, participants.c.id == project_scores.c.participant_id)
                .where(participants.c.workshop_id == row.id)
            ).scalar_one()
        return Activity(
            revision=row.revision,
            participants=counted[0],
            votes=counted[1],
            last_vote_at=_aware(counted[2]),
            last_scores_at=_aware(last_scores),
        )

    # --- participants ----------------------------------------------------------------

    def find(self, join_code: str) -> Workshop | None:
        """The live workshop a typed code names (any case, spaces ignored), for the join page."""
        code = normalise_join_code(join_code)
        if code is None:
            return None
        with self._database.reading() as connection:
            row = connection.execute(
                select(workshops).where(workshops.c.join_code == code, workshops.c.expires_at > self._clock())
            ).first()
        return None if row is None else _workshop(row)

    def join(self, join_code: str, display_name: str) -> Joined:
        """Join with the code and a display name; NotFound for an unknown code."""
        code = normalise_join_code(join_code)
        if code is None:
            raise Refused(NOT_A_CODE)  # not a workshop that is gone: no code at all
        name = clean_display_name(display_name)
        secret = new_secret()
        now = self._clock()
        with self._database.writing() as connection:
            row = connection.execute(
                select(workshops)
                .where(workshops.c.join_code == code, workshops.c.expires_at > now)
                .with_for_update()
            ).first()
            if row is None:
                raise NotFound(_UNKNOWN_WORKSHOP)
            check_can_join(WorkshopState(row.state))
            number = row.joined + 1  # under the workshop's lock; a removed participant's number stays theirs
            connection.execute(update(workshops).where(workshops.c.id == row.id).values(joined=number))
            connection.execute(
                participants.insert().values(
                    workshop_id=row.id,
                    number=number,
                    display_name=name,
                    secret_hash=secret_hash(secret),
                    joined_at=now,
                    vote_revision=0,
                    scores_revision=0,
                )
            )
        participant = Participant(number, name, now, 0, 0)
        return Joined(Membership(_workshop(row), participant), secret)

    def for_participant(self, participant_secret: str) -> Membership:
        """The participant behind a link, and their workshop; NotFound when gone."""
        with self._database.reading() as connection:
            person, workshop_row = self._participant_rows(connection, participant_secret)
        return Membership(_workshop(workshop_row), _participant(person))

    def vote_of(self, participant_secret: str) -> RecordedVote | None:
        """The participant's current vote (after a reload), None before their first vote."""
        with self._database.reading() as connection:
            person, workshop_row = self._participant_rows(connection, participant_secret)
            row = connection.execute(select(votes).where(votes.c.participant_id == person.id)).first()
        if row is None:
            return None
        return _recorded_vote(row, person, _workshop(workshop_row))

    def cast_vote(self, participant_secret: str, document: object, expected_revision: int) -> RecordedVote:
        """Store the participant's vote, replacing theirs; nobody else's row is touched.

        `expected_revision` is the vote revision the participant's page saw (0 before the
        first vote). Refused for a malformed vote or a closed vote, StaleRevision (with the
        current vote) for a replayed or stale request, NotFound for an unknown participant.
        """
        now = self._clock()
        with self._database.writing() as connection:
            person, workshop_row = self._participant_rows(connection, participant_secret, lock=True)
            workshop = _workshop(workshop_row)
            check_can_vote(workshop.state)
            vote = parse_vote(document, workshop.criteria)
            self._claim_revision(
                connection, person, "vote_revision", expected_revision, _STALE_VOTE, workshop
            )
            connection.execute(delete(votes).where(votes.c.participant_id == person.id))
            connection.execute(
                votes.insert().values(
                    participant_id=person.id,
                    method=vote.method.value,
                    payload=documents.encode(vote_document(vote, workshop.criteria)),
                    updated_at=now,
                )
            )
        return RecordedVote(person.number, person.display_name, vote, expected_revision + 1, now)

    def scores_of(self, participant_secret: str) -> tuple[ProjectScore, ...]:
        with self._database.reading() as connection:
            person, _ = self._participant_rows(connection, participant_secret)
            rows = connection.execute(
                select(project_scores).where(project_scores.c.participant_id == person.id)
            ).all()
        return tuple(ProjectScore(row.project, row.criterion, row.score) for row in rows)

    def submit_scores(
        self, participant_secret: str, document: object, expected_revision: int
    ) -> tuple[ProjectScore, ...]:
        """Replace the participant's score sheet (same rules as `cast_vote`)."""
        now = self._clock()
        with self._database.writing() as connection:
            person, workshop_row = self._participant_rows(connection, participant_secret, lock=True)
            workshop = _workshop(workshop_row)
            check_can_vote(workshop.state)
            if workshop.scoring is None or not workshop.scoring_open:
                raise Refused("La notation des projets n'est pas ouverte pour l'instant.")
            scores = parse_scores(document, workshop.scoring)
            self._claim_revision(
                connection, person, "scores_revision", expected_revision, _STALE_SCORES, workshop
            )
            connection.execute(delete(project_scores).where(project_scores.c.participant_id == person.id))
            if scores:
                connection.execute(
                    project_scores.insert(),
                    [
                        {
                            "participant_id": person.id,
                            "project": score.project,
                            "criterion": score.criterion,
                            "score": score.score,
                            "updated_at": now,
                        }
                        for score in scores
                    ],
                )
        return scores

    # --- inside ----------------------------------------------------------------------

    def _act(self, facilitator_secret: str, action: FacilitatorAction) -> Workshop:
        now = self._clock()
        with self._database.writing() as connection:
            row = self._facilitated_row(connection, facilitator_secret, lock=True)
            state = next_state(WorkshopState(row.state), action)
            values: dict[str, Any] = {"state": state.value, "revision": row.revision + 1, "updated_at": now}
            if state is WorkshopState.ENDED:
                values.update(join_code=None, ended_at=now, scoring_open=False)
                connection.execute(
                    update(participants)
                    .where(participants.c.workshop_id == row.id)
                    .values(display_name=None, secret_hash=None)
                )
            connection.execute(update(workshops).where(workshops.c.id == row.id).values(**values))
            return _workshop(self._row(connection, workshops.c.id == row.id))

    def _change(
        self, facilitator_secret: str, check: Callable[[Row[Any]], None] | None, **values: Any
    ) -> Workshop:
        with self._database.writing() as connection:
            row = self._facilitated_row(connection, facilitator_secret, lock=True)
            if row.state == WorkshopState.ENDED.value:
                raise Refused("L'atelier est terminé : ses réglages ne changent plus.")
            if check is not None:
                check(row)
            connection.execute(
                update(workshops)
                .where(workshops.c.id == row.id)
                .values(revision=row.revision + 1, updated_at=self._clock(), **values)
            )
            return _workshop(self._row(connection, workshops.c.id == row.id))

    def _bump(self, connection: Connection, workshop_id: int) -> None:
        connection.execute(
            update(workshops)
            .where(workshops.c.id == workshop_id)
            .values(revision=workshops.c.revision + 1, updated_at=self._clock())
        )

    def _claim_revision(
        self,
        connection: Connection,
        person: Row[Any],
        column: str,
        expected: int,
        message: str,
        workshop: Workshop,
    ) -> None:
        """Compare-and-set of the participant's revision: only the page that saw it may write."""
        claimed = connection.execute(
            update(participants)
            .where(participants.c.id == person.id, participants.c[column] == expected)
            .values({column: participants.c[column] + 1})
        ).rowcount
        if claimed == 1:
            return
        person = connection.execute(select(participants).where(participants.c.id == person.id)).first()
        if person is None:  # removed by the facilitator meanwhile
            raise NotFound(_UNKNOWN_PARTICIPANT)
        current: RecordedVote | tuple[ProjectScore, ...] | None = None
        if column == "vote_revision":
            row = connection.execute(select(votes).where(votes.c.participant_id == person.id)).first()
            if row is not None:
                current = _recorded_vote(row, person, workshop)
        else:
            rows = connection.execute(
                select(project_scores).where(project_scores.c.participant_id == person.id)
            ).all()
            current = tuple(ProjectScore(row.project, row.criterion, row.score) for row in rows)
        raise StaleRevision(message, current=current)

    def _free_join_code(self, connection: Connection) -> str:
        """A code no live workshop uses (the unique index settles a simultaneous draw)."""
        for _ in range(50):
            code = new_join_code()
            taken = connection.execute(select(workshops.c.id).where(workshops.c.join_code == code)).first()
            if taken is None:
                return code
        raise RuntimeError("no free join code after 50 draws")

    def _facilitated_row(
        self, connection: Connection, facilitator_secret: str, lock: bool = False
    ) -> Row[Any]:
        key = secret_hash(facilitator_secret)
        if key is None:
            raise NotFound(_UNKNOWN_FACILITATOR)
        query = select(workshops).where(
            workshops.c.facilitator_hash == key, workshops.c.expires_at > self._clock()
        )
        row = connection.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise NotFound(_UNKNOWN_FACILITATOR)
        return row

    def _participant_rows(
        self, connection: Connection, participant_secret: str, lock: bool = False
    ) -> tuple[Row[Any], Row[Any]]:
        """The participant's row and their workshop's (shared lock on it when writing)."""
        key = secret_hash(participant_secret)
        if key is None:
            raise NotFound(_UNKNOWN_PARTICIPANT)
        person = connection.execute(select(participants).where(participants.c.secret_hash == key)).first()
        if person is None:
            raise NotFound(_UNKNOWN_PARTICIPANT)
        query = select(workshops).where(
            workshops.c.id == person.workshop_id, workshops.c.expires_at > self._clock()
        )
        workshop_row = connection.execute(query.with_for_update(read=True) if lock else query).first()
        if workshop_row is None:
            raise NotFound(_UNKNOWN_PARTICIPANT)
        if lock:  # read again under the workshop's lock: ending the workshop erases the secret
            person = connection.execute(select(participants).where(participants.c.secret_hash == key)).first()
            if person is None:
                raise NotFound(_UNKNOWN_PARTICIPANT)
        return person, workshop_row

    def _row(self, connection: Connection, condition: Any) -> Row[Any]:
        return connection.execute(select(workshops).where(condition)).one()


def purge_workshops(connection: Connection, now: dt.datetime) -> int:
    """Delete expired workshops with their participants, votes and scores (cascade)."""
    # Lock the workshops first, as every other transaction does (module doc): a vote caught
    # at the very moment of expiry finishes before its workshop goes.
    expired = (
        connection.execute(select(workshops.c.id).where(workshops.c.expires_at <= now).with_for_update())
        .scalars()
        .all()
    )
    if not expired:
        return 0
    # Explicit deletes, children first: the cascade holds on both databases, but saying it
    # keeps a purge correct even on a SQLite connection opened without foreign keys.
    people = select(participants.c.id).where(participants.c.workshop_id.in_(expired))
    connection.execute(delete(votes).where(votes.c.participant_id.in_(people)))
    connection.execute(delete(project_scores).where(project_scores.c.participant_id.in_(people)))
    connection.execute(delete(participants).where(participants.c.workshop_id.in_(expired)))
    return connection.execute(delete(workshops).where(workshops.c.id.in_(expired))).rowcount


def _workshop(row: Row[Any]) -> Workshop:
    return Workshop(
        id=row.id,
        join_code=row.join_code,
        title=row.title,
        state=WorkshopState(row.state),
        criteria=tuple(
            VotingCriterion(item["key"], item["label"]) for item in documents.decode(row.criteria)
        ),
        settings=documents.decode(row.settings),
        file_name=row.file_name,
        file_sha256=row.file_sha256,
        scoring=None if row.scoring is None else read_setup(documents.decode(row.scoring)),
        scoring_open=bool(row.scoring_open),
        reveal_names=bool(row.reveal_names),
        revision=row.revision,
        created_at=row.created_at,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
        ended_at=row.ended_at,
    )


def _participant(row: Row[Any]) -> Participant:
    return Participant(row.number, row.display_name, row.joined_at, row.vote_revision, row.scores_revision)


def _recorded_vote(vote_row: Row[Any], person: Row[Any], workshop: Workshop) -> RecordedVote:
    """A stored vote read back (checked before it was stored: it parses) with its author's
    number, name and vote revision (`person`: a participants row, or a joined row)."""
    return RecordedVote(
        participant_number=person.number,
        display_name=person.display_name,
        vote=parse_vote(documents.decode(vote_row.payload), workshop.criteria),
        revision=person.vote_revision,
        updated_at=vote_row.updated_at,
    )


def _current_scores(rows: Sequence[Row[Any]], setup: ScoringSetup | None) -> tuple[RecordedScore, ...]:
    if setup is None:
        return ()
    projects = {project.id for project in setup.projects}
    criteria = {criterion.key for criterion in setup.criteria}
    return tuple(
        RecordedScore(row.number, row.project, row.criterion, row.score)
        for row in rows
        if row.project in projects and row.criterion in criteria and setup.low <= row.score <= setup.high
    )


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """Aggregates (MAX) bypass the column type on SQLite: make the value aware UTC again."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
