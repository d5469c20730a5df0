"""The long-lived side of Setu: one loaded index and model, shared by every
request of the web app, swapped for a new generation after a rebuild."""

from __future__ import annotations

import threading

from .answer import ask
from .config import Settings
from .embed import embedder_for
from .errors import IndexMissing
from .index import BuildReport, Index, build, current_generation, open_index
from .types import Answer


class Engine:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._index: Index | None = None
        self._swap = threading.Lock()
        self._rebuild = threading.Lock()

    @property
    def index(self) -> Index:
        """The live generation. Each request takes it once, so an answer never
        mixes two generations."""
        with self._swap:
            live = current_generation(self.settings.index)
            if self._index is None or (live is not None and live != self._index.path):
                self._index = open_index(self.settings.index)
            return self._index

    def ask(self, question: str, history: tuple[str, ...] = ()) -> Answer:
        index = self.index
        return ask(question, index, embedder_for(index.model), history=history)

    def rebuild(self, progress=None) -> BuildReport:
        """Update the index; answers keep coming from the old generation until
        the new one is complete."""
        with self._rebuild:
            report = build(self.settings, embedder=embedder_for(self.settings.model), progress=progress)
        try:
            _ = self.index  # load the new generation now, not on the next question
        except IndexMissing:
            pass
        return report

    def warm(self) -> None:
        """Load the index and the model before the first question."""
        try:
            self.ask("warm-up")
        except IndexMissing:
            pass
