"""A separate process that joins a workshop and votes:
`python -m tests.store_voter CODE N LABEL GO`.

It opens the store the environment points to (PRIORISATION_BASE_URL or
PRIORISATION_DONNEES), says it is ready (the file GO.LABEL.ready), waits until the file GO
exists (so that several processes vote together), then N threads each join as
« LABEL-i » and cast one direct vote whose urgency weight is i + 1. It prints one JSON line
per vote: name, participant number and urgency weight.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

from prioritisation.store import open_store


def main(code: str, count: int, label: str, go: Path) -> None:
    store = open_store()
    names = [f"{label}-{index}" for index in range(count)]
    results: list[dict[str, object]] = []
    lock = threading.Lock()

    def vote(name: str, index: int) -> None:
        joined = store.workshops.join(code, name)
        document = {"method": "direct", "weights": {"urgency": index + 1, "impact": 50, "feasibility": 50}}
        recorded = store.workshops.cast_vote(joined.participant_secret, document, 0)
        with lock:
            results.append({"name": name, "number": recorded.participant_number, "urgency": index + 1})

    go.with_name(f"{go.name}.{label}.ready").touch()
    while not go.exists():
        time.sleep(0.01)
    threads = [threading.Thread(target=vote, args=(name, index)) for index, name in enumerate(names)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    for result in results:
        print(json.dumps(result))
    if len(results) != count:
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))
