"""The command line of `backprop-course`: each command, its arguments and its options.

Only the words: what each command does is in `cli`, which dispatches on args.command.
"""
import argparse

from . import contract
from .config import CONFIG_FILE

LOG_NAME = "backprop-course.log"


def build_parser():
    """The parser of `backprop-course`: args.command names the command, args.kind a cluster's kind."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--course", help=f"course folder (default: the current folder if it has an {CONFIG_FILE}, "
                                         "else the bundled course)")
    common.add_argument("--db-url", help="gradebook URL, e.g. postgresql://user@host/db (default: sqlite in the course)")
    common.add_argument("--timeout", type=int, help="seconds a cell may run (default: the course's, 60)")
    common.add_argument("--log", help=f"log file (default: <course>/{LOG_NAME}; for validate, a new file "
                                      "per run in the temporary folder, kept only when something failed)")
    parser = argparse.ArgumentParser(prog="backprop-course",
                                     description="Instructor tools for the backprop course (nbgrader inside).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    stages = {"nargs": "*", "metavar": "STAGE", "help": f"default: all ({', '.join(contract.STAGES)})"}
    jobs = {"type": int, "help": "grading processes (default: cores + 1, fastest measured)"}
    students = {"action": "append", "metavar": "ID", "help": "only this student (repeatable)"}

    command = commands.add_parser("init", help="make a new course folder of your own")
    command.add_argument("folder", metavar="DIR", help="a new or empty folder")
    command.add_argument("--course-id", help="nbgrader course id (default: the folder's name)")

    command = commands.add_parser("release", parents=[common], help="regenerate the student notebooks and prove them")
    command.add_argument("stages", **stages)
    command.add_argument("--no-check", action="store_true", help="only regenerate, skip grading the results")
    command.add_argument("--jobs", **jobs)

    command = commands.add_parser("validate", parents=[common], help="run notebooks and say which exercises pass (exit 1 if any fails)")
    command.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")

    command = commands.add_parser("autograde", parents=[common], help="grade submitted/ in parallel into the gradebook")
    command.add_argument("stages", **stages)
    command.add_argument("--jobs", **jobs)
    command.add_argument("--student", **students)
    command.add_argument("--no-sandbox", action="store_true",
                         help="run student code unconfined, with your rights (only where no sandbox can run, "
                              "for notebooks you trust)")
    command.add_argument("--scheduler", metavar="ADDRESS",
                         help="grade on this Dask scheduler, e.g. tcp://host:8786 (default: the course's "
                              "c.DaskGrading.scheduler, else this machine)")

    command = commands.add_parser("feedback", parents=[common], help="HTML feedback per student, without hidden tests")
    command.add_argument("stages", **stages)
    command.add_argument("--student", **students)
    command.add_argument("--jobs", **jobs)

    command = commands.add_parser("report", parents=[common], help="grades.csv, a summary table and grades.png")
    command.add_argument("--output", help="folder for grades.csv and grades.png (default: the course folder)")

    command = commands.add_parser("cluster", help="start a Dask cluster to grade on (SLURM or Kubernetes)")
    kinds = command.add_subparsers(dest="kind", required=True, metavar="KIND")
    kind = kinds.add_parser("slurm", help="SLURM jobs through dask-jobqueue (pip install 'backprop-course[slurm]')")
    kind.add_argument("--jobs", type=int, default=1, help="SLURM jobs (default: %(default)s)")
    kind.add_argument("--cores", type=int, default=4, help="cores per job, one worker each (default: %(default)s)")
    kind.add_argument("--memory", default="8GB", help="memory per job (default: %(default)s)")
    kind.add_argument("--walltime", default="01:00:00", help="time limit per job (default: %(default)s)")
    kind.add_argument("--queue", help="SLURM partition")
    kind.add_argument("--account", help="SLURM account")
    kind.add_argument("--python", help="python with backprop-course on the nodes (default: this one)")
    kind = kinds.add_parser("kubernetes", help="pods through the Dask operator (pip install 'backprop-course[kubernetes]')")
    kind.add_argument("--workers", type=int, default=4, help="worker pods (default: %(default)s)")
    kind.add_argument("--image", help="worker image with backprop-course (default: this hub pod's image)")
    kind.add_argument("--cpu", default="1", help="CPU per worker (default: %(default)s)")
    kind.add_argument("--memory", default="2Gi", help="memory per worker (default: %(default)s)")

    command = commands.add_parser("demo", parents=[common], help="release, autograde, feedback and report the sample class")
    command.add_argument("--folder", help="scratch course folder (default: a new temporary folder)")
    command.add_argument("--jobs", **jobs)
    return parser
