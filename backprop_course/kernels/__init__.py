"""Where student code runs: kernels, and the machinery around them.

- `sandbox`: what a grading kernel sees and may use (bubblewrap, namespaces, limits);
- `factory`: the process that forks warm kernels, in the sandbox when grading;
- `startup`: the grader's side of kernel start-up: kernels started ahead of need, from the factory;
- `execute`: running one notebook in a kernel, surviving whatever the notebook does;
- `contained`: what the sandbox stopped a notebook from doing, in words;
- `grader`: grading one submission (nbgrader's autograde steps around `execute`);
- `pool`: grading many submissions in parallel worker processes, or one at a time for other backends.
"""
