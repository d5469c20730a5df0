"""Setu: answers about India–Japan relations from your own sources, with checked citations."""

import os

# Setu never goes online: no model hub, no telemetry. Set before any heavy
# library is imported, so every entry point (CLI, app, tests) is covered.
for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_name, _value)

__version__ = "0.1.0"
