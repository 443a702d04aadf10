"""The exercise contract: stages, their answer cells and the points each test cell carries.

Every answer cell has ``grade_id`` = the exercise name and is followed by one test cell with
``grade_id`` = ``test_<name>`` worth the points below. The release check, the autograder, the
report and the sample class all read this table, so it is the one place the points live.
"""

CONTRACT = {
    "01_computational_graphs": {"numerical_diff": 2, "circuit_gradients": 2},
    "02_manual_backprop": {"square": 2, "exp": 2, "manual_backward": 3},
    "03_gates": {
        "add_gate": 1,
        "multiply_gate": 2,
        "max_gate": 2,
        "copy_gate": 1,
        "sigmoid_gate": 2,
        "neuron_circuit": 3,
    },
    "04_automatic_backprop": {"backward_recursive": 3, "backward_loop": 3},
    "05_general_graphs": {"topological_order": 3, "backward_general": 4, "log_sqrt_graph": 2, "no_grad": 2},
    "06_vectors_and_matrices": {
        "sum_to": 3,
        "numerical_gradient": 3,
        "matmul": 3,
        "relu": 2,
        "softmax_cross_entropy": 3,
        "l2_example": 2,
    },
    "07_forward_and_reverse": {"dual": 3, "chain_costs": 2, "jacobian_node": 3},
    "08_training_an_mlp": {"sgd_step": 2, "train_mlp": 4},
}

STAGES = tuple(CONTRACT)

# Where the autograder leaves each submission's status and notes in its autograded notebook's
# metadata; feedback and the report read them there.
METADATA_KEY = "backprop_course"


def tests_grade_id(exercise):
    """The grade_id of the test cell that grades `exercise`."""
    return f"test_{exercise}"


def exercise_of(test_grade_id):
    """The exercise a test cell grades: 'test_square' -> 'square'."""
    return test_grade_id.removeprefix("test_")


def tested_exercise(cell):
    """The exercise `cell` tests, or None when it is not a test cell (graded, not an answer)."""
    nbgrader = cell.get("metadata", {}).get("nbgrader", {})
    if nbgrader.get("grade") and not nbgrader.get("solution"):
        return exercise_of(nbgrader["grade_id"])
    return None


def max_points(stage):
    """Total points of a stage."""
    return sum(CONTRACT[stage].values())


def check_stages(stages):
    """Return `stages` (all stages when empty), or raise ValueError naming an unknown one."""
    if not stages:
        return list(STAGES)
    unknown = [stage for stage in stages if stage not in CONTRACT]
    if unknown:
        raise ValueError(
            f"unknown stage {', '.join(unknown)}; the stages are: {', '.join(STAGES)}"
        )
    return list(stages)
