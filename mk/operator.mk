# mk/operator.mk - operator targets (filled in below)
