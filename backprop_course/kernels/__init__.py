"""Where student code runs: kernels, and the machinery around them.

- `startup`: starting kernels ahead of need, warm (forked from a process that has imported IPython);
- `execute`: running one notebook in a kernel, surviving whatever the notebook does;
- `grader`: grading one submission (nbgrader's autograde steps around `execute`);
- `pool`: grading many submissions in parallel worker processes.
"""
