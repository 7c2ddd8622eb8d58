"""People's rights over their data (GDPR art. 15 and 17): find everything about one person
(subject_access.py), forget them everywhere with a receipt (erasure.py), and keep them forgotten
(suppression.py: later deliveries of an erased person are quarantined, never loaded)."""
