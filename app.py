"""Start Setu's web chat: `python app.py` (or `setu serve`), then open http://127.0.0.1:7860."""

from setu.cli import main

if __name__ == "__main__":
    main(["serve", *__import__("sys").argv[1:]])
