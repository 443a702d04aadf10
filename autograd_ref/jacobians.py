"""What it costs to multiply a chain of Jacobians from either end (forward vs reverse mode).

For f = f_L o ... o f_1, where f_k maps dims[k-1] numbers to dims[k], the Jacobian of f is the
product J_L ... J_1 with J_k of shape (dims[k], dims[k-1]). Forward mode multiplies from the
input side (J_2 J_1 first), reverse mode from the output side (J_L J_(L-1) first). Multiplying
an (a, b) matrix by a (b, c) matrix takes a*b*c scalar multiplications.
"""
import numpy as np


def chain_costs(dims):
    """(forward_cost, reverse_cost): the scalar multiplications to get the whole Jacobian of a
    chain with layer sizes dims, from the input side and from the output side."""
    last = len(dims) - 1
    # forward: J_k times the (dims[k-1], dims[0]) product of the Jacobians before it
    forward = sum(dims[k] * dims[k - 1] * dims[0] for k in range(2, last + 1))
    # reverse: the (dims[last], dims[k]) product of the Jacobians after J_k, times J_k
    reverse = sum(dims[last] * dims[k] * dims[k - 1] for k in range(1, last))
    return forward, reverse


def counted_chain_costs(dims):
    """The same two costs, counted while really multiplying a chain of Jacobians (the check
    that chain_costs' formulas are right)."""
    jacobians = [np.ones((dims[k], dims[k - 1])) for k in range(1, len(dims))]
    forward, product = 0, jacobians[0]
    for jacobian in jacobians[1:]:
        forward += jacobian.shape[0] * jacobian.shape[1] * product.shape[1]
        product = jacobian @ product
    reverse, product = 0, jacobians[-1]
    for jacobian in reversed(jacobians[:-1]):
        reverse += product.shape[0] * product.shape[1] * jacobian.shape[1]
        product = product @ jacobian
    return forward, reverse
