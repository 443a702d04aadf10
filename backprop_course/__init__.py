"""backprop_course: the instructor's tooling (release, validate, autograde, feedback, report)."""
