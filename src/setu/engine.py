"""The long-lived side of Setu: one loaded index and model, shared by every
request of the web app, swapped for a new generation after a rebuild."""

from __future__ import annotations

import threading

from .answer import ask
from .config import Settings
from .embed import embedder_for
from .errors import IndexMissing
from .build import BuildReport, build
from .index import Index, current_generation, open_index
from .llm import client_for
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
        """The final answer (generated and checked when a language model is set)."""
        answer = None
        for event in self.stream(question, history):
            if event["type"] == "answer":
                answer = event["answer"]
        return answer

    def stream(self, question: str, history: tuple[str, ...] = ()):
        """Events as the answer is composed (see ``generate.stream``); an
        extractive answer arrives as one final event."""
        index = self.index
        embedder = embedder_for(index.model)
        llm = client_for(self.settings)
        if llm is None:
            yield {"type": "answer", "answer": ask(question, index, embedder, history=history)}
            return
        from .generate import stream

        yield from stream(question, index, embedder, llm, history)

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
        """Load the index and the embedding model before the first question
        (without asking a language model anything)."""
        try:
            embedder_for(self.index.model).encode(["warm up"])
        except IndexMissing:
            pass
