"""The applicant's outreach plan: the guide's procedure turned into dated, cited steps for their own programs.

index/plan/rules.py holds the rules as data with their guide passages, windows.py the dates, planner.py
the decisions, compose.py the citations and drafts, export.py the calendar and CSV.
"""
