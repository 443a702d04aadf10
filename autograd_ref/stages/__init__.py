"""The small Variable/Function classes each notebook starts from, written the way it teaches them.

- `manual`  (02_manual_backprop): a Variable holds data and grad; backward is called by hand.
- `linked`  (04_automatic_backprop): variables remember their creator; backward follows the links.
- `general` (05_general_graphs): several inputs and outputs, generations, accumulation.

Each stage imports the one before it instead of repeating it.
"""
