"""Grading engine of the regularization course.

Architecture (one direction of trust):
  source/ --release--> assignments/ (students) and solutions/ (instructors)
  suites (public.py, hidden.py) run on the trusted side; student code runs in a
  separate sandboxed process and only plain data (autograder.protocol) crosses back.
"""
