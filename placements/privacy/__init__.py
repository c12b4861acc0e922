"""Personal data, done right (PIPL arts. 44–47): a student's copy of everything the portal holds
about them, and the deletion of their account.

It sits in ``placements`` — at the top of the dependency chain — because both need every app's
data (accounts, notifications, profiles, applications, interviews, offers, placements and
cultivation). The consent records are the platform's (``jinseed.accounts.consents``); what a
withdrawn ID-number consent does to the profile is the applicants app's
(``applicants.privacy``).
"""
