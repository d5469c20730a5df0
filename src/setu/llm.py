"""A client for any OpenAI-compatible chat endpoint (Ollama, llama.cpp,
vLLM, hosted APIs): streams the reply's text, and turns every way it can
fail into one typed error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import SetuError


class LLMError(SetuError):
    """The language model could not give an answer (down, slow, malformed)."""


@dataclass(frozen=True)
class LLM:
    url: str  # base URL, e.g. http://127.0.0.1:11434/v1
    model: str
    api_key: str = ""
    timeout: float = 30.0  # seconds to connect, and to wait for each piece of the reply
    max_tokens: int = 400

    def stream(self, messages: list[dict]) -> Iterator[str]:
        """The reply, piece by piece. Raises ``LLMError``."""
        import httpx

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {"model": self.model, "messages": messages, "stream": True, "temperature": 0.1,
                "max_tokens": self.max_tokens}
        endpoint = self.url.rstrip("/") + "/chat/completions"
        try:
            with httpx.Client(timeout=httpx.Timeout(self.timeout)) as client:
                with client.stream("POST", endpoint, json=body, headers=headers) as response:
                    if response.status_code != 200:
                        response.read()
                        raise LLMError(f"the language model at {self.url} answered HTTP {response.status_code}: "
                                       f"{response.text[:200]}")
                    yield from _pieces(response.iter_lines(), self.url)
        except httpx.TimeoutException:
            raise LLMError(f"the language model at {self.url} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as e:
            raise LLMError(f"the language model at {self.url} could not be reached ({type(e).__name__}: {e})") from None


def _pieces(lines, url: str) -> Iterator[str]:
    """Text from server-sent events: `data: {...}` lines, ending with `data: [DONE]`."""
    seen_any = False
    for line in lines:
        line = line.strip()
        if not line or line.startswith(":"):
            continue
        if not line.startswith("data:"):
            raise LLMError(f"the language model at {url} sent a malformed reply: {line[:120]!r}")
        data = line[5:].strip()
        if data == "[DONE]":
            break
        try:
            event = json.loads(data)
            choice = event["choices"][0]
            piece = (choice.get("delta") or {}).get("content")
            if piece is None and "message" in choice:  # a server that ignores stream=True
                piece = choice["message"].get("content")
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise LLMError(f"the language model at {url} sent a malformed reply: {data[:120]!r}") from None
        seen_any = True
        if piece:
            yield piece
    if not seen_any:
        raise LLMError(f"the language model at {url} sent an empty reply")


def client_for(settings) -> LLM | None:
    """The language model the settings name, or None for extractive answers.
    Built at the edge (the engine), so that settings know nothing of clients."""
    if not settings.llm_url:
        return None
    return LLM(settings.llm_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout)
