"""kb's one build step beyond setuptools' defaults: a wheel carries the site's
graph library (cytoscape, from the npm registry, with its licence), so a kb
installed anywhere builds a complete site without npm. The library is copied
at build time from node_modules/ (installed by `npm ci` from package-lock.json
if it is missing), never committed. Everything else is in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# npm package -> the files of it that the wheel carries
FRONT_END = {"cytoscape": ("dist/cytoscape.min.js", "LICENSE")}


class BuildWithFrontEnd(build_py):
    """``build_py``, then the front-end libraries into kb/site/vendor/ of the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install runs from the checkout, which finds node_modules/ itself
        if not all((ROOT / "node_modules" / package / name).is_file() for package, names in FRONT_END.items() for name in names):
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)
        for package, names in FRONT_END.items():
            target = Path(self.build_lib) / "kb" / "site" / "vendor" / package
            target.mkdir(parents=True, exist_ok=True)
            for name in names:
                shutil.copy(ROOT / "node_modules" / package / name, target / Path(name).name)


setup(cmdclass={"build_py": BuildWithFrontEnd})
