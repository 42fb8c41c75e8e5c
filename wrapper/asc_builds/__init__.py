"""asc-builds."""
