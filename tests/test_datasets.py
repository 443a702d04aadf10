"""The spiral data set: shape, determinism, balance, and a sane range."""
import numpy as np
import pytest

from autograd_ref.datasets import spiral

pytestmark = pytest.mark.stage08


def test_default_spiral_has_the_shapes_and_types_the_course_expects():
    X, t = spiral()
    assert X.shape == (300, 2) and X.dtype == np.float64
    assert t.shape == (300,) and t.dtype == np.int64


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not():
    X1, t1 = spiral()
    X2, t2 = spiral()
    X3, t3 = spiral(seed=7)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(t1, t2)
    assert not np.array_equal(X1, X3)


def test_global_numpy_random_state_is_left_alone():
    np.random.seed(123)
    expected_next = np.random.random()
    np.random.seed(123)
    spiral()
    assert np.random.random() == expected_next


@pytest.mark.parametrize("n_per_class, n_classes", [(100, 3), (7, 5), (1, 2)])
def test_classes_are_balanced_and_points_lie_inside_the_unit_circle(n_per_class, n_classes):
    X, t = spiral(n_per_class, n_classes)
    np.testing.assert_array_equal(np.bincount(t), [n_per_class] * n_classes)
    assert np.all(np.linalg.norm(X, axis=1) < 1.0)
    assert np.all(np.isfinite(X))


def test_points_are_shuffled_and_arms_grow_outwards():
    X, t = spiral()
    assert not np.all(np.diff(t) >= 0), "labels should not come sorted by class"
    radius = np.linalg.norm(X, axis=1)
    assert radius.min() == 0.0  # each arm starts at the centre
    assert radius.max() > 0.95


def test_spiral_needs_positive_integer_sizes():
    with pytest.raises(ValueError, match=r"^n_per_class must be a positive integer, got 0$"):
        spiral(0)
    with pytest.raises(ValueError, match=r"^n_classes must be a positive integer, got 2\.5$"):
        spiral(10, 2.5)


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_each_point_lies_near_the_arm_of_its_own_label(n_classes):
    # a point at radius r on arm k has angle 2 pi k / n_classes + 4 r, give or take the noise
    # (sd 0.2): a label shuffled apart from its point lands on another arm
    X, t = spiral(n_per_class=50, n_classes=n_classes, seed=11)
    radius = np.linalg.norm(X, axis=1)
    angle = np.arctan2(X[:, 0], X[:, 1])
    expected = 2 * np.pi * t / n_classes + 4.0 * radius
    off = np.angle(np.exp(1j * (angle - expected)))  # the difference, wrapped into (-pi, pi]
    away = radius > 0  # the centre has no angle
    assert np.all(np.abs(off[away]) < 5 * 0.2), (
        f"expected every point within 1 radian of its arm, got {np.abs(off[away]).max():.3g}")
    scatter = off[away].std()
    assert 0.15 < scatter < 0.25, f"expected a scatter of about 0.2, got {scatter:.3g}"
