"""Every write of the privacy rights: the copy of a student's data (``export``) and deleting an
account (``deletion``)."""
