// Tests are added separately.
