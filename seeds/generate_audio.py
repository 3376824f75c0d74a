"""Regenerate the demo audio in seeds/audio/ from the `speech` lines of seeds/demo.toml.

A developer tool, not run by the app or the tests: it needs Debian's espeak-ng and ffmpeg.
    python seeds/generate_audio.py
Each file is the lecture's speech read a few times (about half a minute), as mono MP3.
"""

from __future__ import annotations

import subprocess
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
VOICES = {"ar": "ar", "en": "en-gb", "ur": "ur"}
REPEATS = 4


def main() -> None:
    demo = tomllib.loads((HERE / "demo.toml").read_text(encoding="utf-8"))
    out_dir = HERE / "audio"
    out_dir.mkdir(exist_ok=True)
    for lecture in demo["lectures"]:
        text = " ... ".join([lecture["speech"]] * REPEATS)
        target = out_dir / lecture["audio"]
        with tempfile.NamedTemporaryFile(suffix=".wav") as wav:
            subprocess.run(
                ["espeak-ng", "-v", VOICES[lecture["language"]], "-s", "135", "-w", wav.name, text],
                check=True,
            )
            subprocess.run(
                [
                    "ffmpeg",
                    "-loglevel",
                    "error",
                    "-y",
                    "-i",
                    wav.name,
                    "-ac",
                    "1",
                    "-ar",
                    "16000",
                    "-b:a",
                    "24k",
                    "-metadata",
                    f"title={lecture['title']}",
                    str(target),
                ],
                check=True,
            )
        print(target.name)


if __name__ == "__main__":
    main()
