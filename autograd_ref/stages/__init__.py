"""The small Variable/Function classes each notebook starts from, written the way it teaches them.

- `manual`  (02_manual_backprop): a Variable holds data and grad; backward is called by hand.
- `linked`  (04_automatic_backprop): variables remember their creator; backward follows the links.
- `general` (05_general_graphs): several inputs and outputs, generations, accumulation.

Each stage builds on the one before it by plain subclassing (a Variable gains a creator, a
Function a new `__call__`); an op that only moves to a new Function takes its stage 02 maths by
name (`forward = manual.Square.forward`). The walks backward takes here are the notebooks' own,
kept on purpose: the engine's order is `autograd_ref.core.backward_order`.
"""
