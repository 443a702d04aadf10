"""The `backprop-course` command: init, release, validate, autograde, feedback, report, cluster, demo.

Every command but init, cluster and demo works on one course folder: --course, else the current folder
when it holds an nbgrader_config.py (nbgrader's own convention), else the bundled course; the
first line it prints says which.

Exit codes: 0 all good, 1 something failed (a test, a check, a notebook nbgrader could not
process), 2 the command could not run (bad arguments, no such course or notebook).
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from . import contract
from .config import CONFIG_FILE, SOLUTIONS, CourseError, find_course, load_config
from .console import log_to_file, say, stop_logging

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
LOG_NAME = "backprop-course.log"
NOTES_SHOWN = 3  # per submission on the terminal; all of them go into the feedback


def course_config(args, root=None):
    return load_config(root or args.course, args.db_url, args.timeout)


def init(args):
    from .init_course import init_course

    folder = init_course(args.folder, args.course_id)
    print(f"new course in {folder}:")
    for name, what in ((CONFIG_FILE, "nbgrader's configuration (course id, gradebook, exchange, time limits)"),
                       ("source/", f"the instructor notebooks, from {SOLUTIONS}: edit these"),
                       (".gitignore", "keeps grading output out of version control")):
        print(f"  {name:<20} {what}")
    print(f"next: cd {folder} && backprop-course release")
    return EXIT_OK


def log_file(args, root=None):
    if args.log:
        return Path(args.log).resolve()
    if args.command == "validate":  # students run it: keep their folder clean, and each run its own
        handle, path = tempfile.mkstemp(prefix="backprop-course-validate-", suffix=".log")
        os.close(handle)
        return Path(path)
    folder = Path(root or args.course).resolve()
    # an installed package's bundled course may be read-only
    return (folder if os.access(folder, os.W_OK) else Path(tempfile.gettempdir())) / LOG_NAME


def start_log(path):
    """Log to `path`, or say why that file cannot be written."""
    try:
        log_to_file(path)
    except OSError as error:
        raise CourseError(f"cannot write the log file {path}: {error.strerror}; choose another with --log FILE")


def release(args, root=None):
    from .assignments import generate_student_notebooks
    from .release import check_release

    config = course_config(args, root)
    for path in generate_student_notebooks(args.stages, config):
        say(f"wrote {path}")
    if args.no_check:
        return EXIT_OK
    say("checking: every instructor notebook earns all its points, every student notebook none ...")
    problems = check_release(config, args.stages, jobs=args.jobs or default_jobs(), log_file=log_file(args, root))
    for problem in problems:
        say(f"  PROBLEM {problem}")
    say("release check failed" if problems else "release check passed")
    return EXIT_FAILED if problems else EXIT_OK


def validate(args):
    from traitlets.config import Config

    from .validate import validate_notebooks

    missing = [path for path in args.notebooks if not Path(path).is_file()]
    if missing:
        raise CourseError(f"no such notebook: {', '.join(missing)}")
    config = course_config(args) if (Path(args.course) / CONFIG_FILE).exists() else Config()
    if args.timeout:
        config.Execute.timeout = args.timeout
    log = log_file(args)
    start_log(log)
    with open(log, "a") as kernel_log:
        results = validate_notebooks(args.notebooks, config, log=kernel_log)
    for result in results:
        say("\n".join(result.lines()))
    failed = [result for result in results if not result.passed]
    if not failed and not args.log:  # a run's own log is kept only when it has something to explain
        stop_logging()
        log.unlink()
    say(f"{len(results) - len(failed)} of {len(results)} notebooks pass" + (f" (details: {log})" if failed else ""))
    return EXIT_FAILED if failed else EXIT_OK


def default_jobs():
    from .kernels.pool import default_jobs

    return default_jobs()


def autograde(args, root=None):
    from .autograde import autograde
    from .console import ProgressBar
    from .report import collect, student_table

    config = course_config(args, root)
    log = log_file(args, root)
    jobs = args.jobs or default_jobs()
    progress = {}

    def start(submissions):
        workers = f"the Dask cluster at {scheduler}" if scheduler else f"{min(jobs, len(submissions))} workers"
        say(f"grading {len(submissions)} submissions with {workers} (log: {log})")
        progress["bar"] = ProgressBar(len(submissions))

    def advance(graded):
        progress["bar"].advance(f"{graded.student}/{graded.stage}")

    scheduler = args.scheduler or scheduler_of(config)
    results = autograde(config, args.stages, args.student, jobs=jobs, log_file=log, on_start=start,
                        on_result=advance, sandbox=not args.no_sandbox, scheduler=scheduler)
    say(student_table(collect(config)))
    noted = [result for result in results if result.status != "ok" or result.notes]
    if noted:
        say("\nwhat the grader saw:")
    for result in noted:
        notes = result.notes or ["-"]
        for note in notes[:NOTES_SHOWN]:
            say(f"  {result.student}/{result.stage} [{result.status}] {note[:160]}")
        if len(notes) > NOTES_SHOWN:
            say(f"  {result.student}/{result.stage} ... {len(notes) - NOTES_SHOWN} more in its autograded notebook")
    seconds = progress["bar"].seconds()
    say(f"graded {len(results)} submissions in {seconds:.1f} s ({seconds / len(results):.2f} s each)")
    return EXIT_FAILED if any(result.status == "failed" for result in results) else EXIT_OK


def scheduler_of(config):
    """The course's `c.DaskGrading.scheduler`, if it sets one."""
    return config.DaskGrading.get("scheduler") or None


def feedback(args, root=None):
    from .feedback import generate_feedback

    pages, failures = generate_feedback(course_config(args, root), args.stages, args.student,
                                        jobs=args.jobs or default_jobs())
    for failure in failures:
        say(f"  PROBLEM {failure}")
    folder = Path(root or args.course).resolve() / "feedback"
    say(f"wrote {len(pages)} feedback pages in {folder} (hidden tests removed)")
    return EXIT_FAILED if failures else EXIT_OK


def report(args, root=None):
    from .report import report

    text, csv_path, png_path = report(course_config(args, root), args.output)
    say(text)
    say(f"\nwrote {csv_path}\nwrote {png_path}")
    return EXIT_OK


def cluster(args):
    from . import clusters

    if args.kind == "slurm":
        started = clusters.slurm_cluster(args.cores, args.memory, args.walltime, args.queue, args.account, args.python)
        started.scale(jobs=args.jobs)
        clusters.serve(started, args.jobs * args.cores)
    else:
        started = clusters.kubernetes_cluster(args.workers, args.image, args.cpu, args.memory)
        clusters.serve(started, args.workers)
    return EXIT_OK


def demo(args):
    from .demo import prepare_demo_course
    from .kernels.sandbox import UNCONFINED, sandbox_problem

    problem = sandbox_problem()
    args.no_sandbox = problem is not None  # the sample class is the course's own work
    if problem:
        say(UNCONFINED)
        say(f"no sandbox here ({problem}); the demo grades its own sample class without one")

    root = prepare_demo_course(args.folder)
    start_log(log_file(args, root))
    say(f"demo course: {root} (the bundled sample class is in {root / 'submitted'})\n")
    args.stages, args.student, args.output, args.no_check, args.scheduler = [], [], None, False, None
    codes = []
    for title, step in (("release", release), ("autograde", autograde), ("feedback", feedback), ("report", report)):
        say(f"== {title} ==")
        started = time.monotonic()
        codes.append(step(args, root))
        say(f"({title}: {time.monotonic() - started:.1f} s)\n")
    say(f"""everything is in {root}:
  student notebooks  {root / 'release'}
  submissions        {root / 'submitted'}
  autograded         {root / 'autograded'}
  feedback (HTML)    {root / 'feedback'}
  grades             {root / 'grades.csv'}, {root / 'grades.png'}
  gradebook          {root / 'gradebook.db'}
  log                {log_file(args, root)}""")
    return max(codes)


def build_parser():
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
    command.set_defaults(run=init)

    command = commands.add_parser("release", parents=[common], help="regenerate the student notebooks and prove them")
    command.add_argument("stages", **stages)
    command.add_argument("--no-check", action="store_true", help="only regenerate, skip grading the results")
    command.add_argument("--jobs", **jobs)
    command.set_defaults(run=release)

    command = commands.add_parser("validate", parents=[common], help="run notebooks and say which exercises pass (exit 1 if any fails)")
    command.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    command.set_defaults(run=validate)

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
    command.set_defaults(run=autograde)

    command = commands.add_parser("feedback", parents=[common], help="HTML feedback per student, without hidden tests")
    command.add_argument("stages", **stages)
    command.add_argument("--student", **students)
    command.add_argument("--jobs", **jobs)
    command.set_defaults(run=feedback)

    command = commands.add_parser("report", parents=[common], help="grades.csv, a summary table and grades.png")
    command.add_argument("--output", help="folder for grades.csv and grades.png (default: the course folder)")
    command.set_defaults(run=report)

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
    command.set_defaults(run=cluster)

    command = commands.add_parser("demo", parents=[common], help="release, autograde, feedback and report the sample class")
    command.add_argument("--folder", help="scratch course folder (default: a new temporary folder)")
    command.add_argument("--jobs", **jobs)
    command.set_defaults(run=demo)
    return parser


def main(argv=None):
    # nbgrader runs `alembic` by name when it creates a gradebook: make this environment's copy findable.
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    args = build_parser().parse_args(argv)
    try:
        if args.command not in ("init", "cluster", "demo"):  # the demo logs into its own scratch folder
            args.course, why = find_course(args.course)
            say(f"course: {args.course} ({why})")
            if args.command != "validate":  # validate chooses its own log
                start_log(log_file(args))
        if getattr(args, "no_sandbox", False):  # the warning heads what the command says
            from .kernels.sandbox import UNCONFINED

            say(UNCONFINED)
        return args.run(args)
    except (CourseError, ValueError) as error:
        say(f"backprop-course {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        say(f"backprop-course {args.command}: interrupted", file=sys.stderr)
        return EXIT_FAILED
