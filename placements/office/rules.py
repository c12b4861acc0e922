"""Who may use the programme office's pages: the statistics dashboard and the alumni list.

Programme staff only; the alumni rules themselves are cultivation's
(``cultivation.manage_alumni``), as the answers belong to the placements.
"""

from jinseed.authz import add_rule, is_programme_staff

add_rule("office.view_dashboard", is_programme_staff)
