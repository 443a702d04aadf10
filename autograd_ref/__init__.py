"""autograd_ref: the reference autograd engine the course builds towards."""
