"""Packaging step (the rest is in pyproject.toml): a built package carries the bundled course.

`backprop-course` needs the course's nbgrader_config.py, the instructor notebooks, the student
notebooks and the sample class. They stay where the repository keeps them (course/,
solutions/, notebooks/); building copies them into backprop_course/shipped/, which
`backprop_course.config.bundle_folder` prefers. An editable install reads the checkout instead.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("course/nbgrader_config.py", "course/sample_class", "solutions", "notebooks")
SKIPPED = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")


class BuildWithCourse(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "backprop_course" / "shipped"
        for name in SHIPPED:
            source, copy = Path(name), target / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, copy, ignore=SKIPPED, dirs_exist_ok=True)
            else:
                shutil.copy(source, copy)


setup(cmdclass={"build_py": BuildWithCourse})
