"""Small data sets for the training exercises."""
import numbers

import numpy as np


def spiral(n_per_class=100, n_classes=3, seed=1984):
    """Interleaved 2-d spiral arms, one arm per class: a set no straight line can separate.

    Returns (X, t): X float64 of shape (n_per_class * n_classes, 2) with every point inside
    the unit circle, t int64 class labels 0 .. n_classes - 1 in shuffled order. The same seed
    always gives the same data; numpy's global random state is left alone.
    """
    for name, value in (("n_per_class", n_per_class), ("n_classes", n_classes)):
        if not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    rng = np.random.default_rng(seed)
    # along each arm the radius grows from 0 towards 1 while the angle turns by 4 radians
    progress = np.tile(np.arange(n_per_class) / n_per_class, n_classes)
    t = np.repeat(np.arange(n_classes), n_per_class)
    arm_start = 2 * np.pi * t / n_classes  # the arms start evenly spread around the circle
    theta = arm_start + 4.0 * progress + rng.normal(scale=0.2, size=t.size)
    X = progress[:, None] * np.stack([np.sin(theta), np.cos(theta)], axis=1)
    order = rng.permutation(t.size)
    return X[order], t[order].astype(np.int64)
