"""Planning: from a validated scenario to what to buy (candidate grid, costs, feasibility, MILPs, explanation)."""
