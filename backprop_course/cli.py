"""The `backprop-course` command: init, release, validate, autograde, feedback, report, cluster, demo.

Every command but init, cluster and demo works on one course folder: --course, else the current folder
when it holds an nbgrader_config.py (nbgrader's own convention), else the bundled course; the
first line it prints says which.

Each command is a function below, saying on the terminal what it does; its arguments and options
are defined in `arguments`, and `main` dispatches on the command's name.

Exit codes: 0 all good, 1 something failed (a test, a check, a notebook nbgrader could not
process), 2 the command could not run (bad arguments, no such course or notebook).
"""
import os
import sys
import tempfile
import time
from pathlib import Path

from .arguments import LOG_NAME, build_parser
from .config import CONFIG_FILE, SOLUTIONS, CourseError, find_course, load_config
from .console import log_to_file, one_line, say, stop_logging

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
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
        who = f"{one_line(result.student)}/{result.stage}"  # a student id is the student's text
        for note in notes[:NOTES_SHOWN]:
            say(f"  {who} [{result.status}] {note[:160]}")
        if len(notes) > NOTES_SHOWN:
            say(f"  {who} ... {len(notes) - NOTES_SHOWN} more in its autograded notebook")
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
        say(f"  PROBLEM {one_line(failure)}")  # it may quote a student id
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


COMMANDS = {"init": init, "release": release, "validate": validate, "autograde": autograde,
            "feedback": feedback, "report": report, "cluster": cluster, "demo": demo}


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
        return COMMANDS[args.command](args)
    except (CourseError, ValueError) as error:
        say(f"backprop-course {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        say(f"backprop-course {args.command}: interrupted", file=sys.stderr)
        return EXIT_FAILED
