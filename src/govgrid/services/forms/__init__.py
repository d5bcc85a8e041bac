"""一表通: the base register, form tasks and the departments' sheets."""
