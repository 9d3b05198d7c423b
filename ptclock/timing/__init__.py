"""The timing domain: visits, segments and a clock. Pure: no Qt, no SQL."""
