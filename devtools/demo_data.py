"""The people, organizations and projects of the demo (``manage.py seed_demo``).

Pure data: names, texts and the status each project should end in. Every record is
keyed by something stable (an email address, a slug, an organization + title pair) so
seeding twice finds what the first run made. Skill names are those of the taxonomy in
``accounts/skill_taxonomy.py`` (seeded by a migration); a name missing from the
database is created in a "Demo" category rather than failing.

Northfield's placement cohort (COHORT, PLACEMENT_PROJECTS and the rows after them) gives
the career office's dashboard groups of at least five students; its dates are relative
to the current academic year (``devtools/demo_placement.py`` applies them).
"""

from __future__ import annotations

DEMO_PASSWORD = "internly-demo"  # noqa: S105 — a published demo login, never a real one

STAFF_EMAIL = "admin@internly.test"
STAFF_NAME = ("Alex", "Morgan")

# ------------------------------------------------------------------------------
# Institutions and their career offices
# ------------------------------------------------------------------------------
# key: (name, slug, email domains, career-office staff (email, first, last), time zone
# (academic years and months are cut at its midnight), commencement (month, day): the
# graduation date of its students)
INSTITUTIONS: dict[str, tuple[str, str, list[str], tuple[str, str, str], str, tuple[int, int]]] = {
    "northfield": (
        "Northfield State University",
        "northfield-state-university",
        ["northfield.edu"],
        ("dana.whitfield@careers.northfield.edu", "Dana", "Whitfield"),
        "America/Chicago",
        (5, 16),
    ),
    "lakeshore": (
        "Lakeshore College",
        "lakeshore-college",
        ["lakeshore.edu"],
        ("omar.haddad@careers.lakeshore.edu", "Omar", "Haddad"),
        "America/Detroit",
        (5, 9),
    ),
    "riverbend": (
        "Riverbend Institute of Technology",
        "riverbend-institute-of-technology",
        ["riverbend-tech.edu"],
        ("ruth.oconnor@careers.riverbend-tech.edu", "Ruth", "O'Connor"),
        "America/Los_Angeles",
        (6, 6),
    ),
}

# ------------------------------------------------------------------------------
# Employer organizations
# ------------------------------------------------------------------------------
# Each organization: its profile, whether platform staff verified it, its owner and its
# supervisors as (email, first name, last name).
ORGANIZATIONS: list[dict] = [
    {
        "slug": "brightline-analytics",
        "name": "Brightline Analytics",
        "website": "https://brightline-analytics.example.com",
        "industry": "Data consulting",
        "size": "11-50",
        "description": (
            "Brightline helps regional retailers and nonprofits make sense of their data: "
            "sales reporting, customer segmentation and forecasting, delivered by a small "
            "team of analysts in Chicago."
        ),
        "verified": True,
        "owner": ("maya.chen@brightline-analytics.example.com", "Maya", "Chen"),
        "supervisors": [
            ("jordan.ellis@brightline-analytics.example.com", "Jordan", "Ellis"),
            ("priya.raman@brightline-analytics.example.com", "Priya", "Raman"),
        ],
    },
    {
        "slug": "harbor-and-pine-coffee",
        "name": "Harbor & Pine Coffee Co.",
        "website": "https://harborandpine.example.com",
        "industry": "Food and beverage",
        "size": "51-250",
        "description": (
            "A specialty coffee roaster with nine cafés across the Pacific Northwest and a "
            "growing wholesale and subscription business."
        ),
        "verified": True,
        "owner": ("sam.okafor@harborandpine.example.com", "Sam", "Okafor"),
        "supervisors": [("lena.fischer@harborandpine.example.com", "Lena", "Fischer")],
    },
    {
        "slug": "greenway-mobility",
        "name": "Greenway Mobility",
        "website": "https://greenway-mobility.example.com",
        "industry": "Transportation",
        "size": "11-50",
        "description": (
            "Greenway runs e-bike share programs for mid-sized cities and campuses, and "
            "builds the software that keeps the fleet charged and where riders need it."
        ),
        "verified": True,
        "owner": ("carlos.rivera@greenway-mobility.example.com", "Carlos", "Rivera"),
        "supervisors": [("hannah.brooks@greenway-mobility.example.com", "Hannah", "Brooks")],
    },
    {
        "slug": "civic-health-alliance",
        "name": "Civic Health Alliance",
        "website": "https://civichealth.example.org",
        "industry": "Nonprofit health",
        "size": "51-250",
        "description": (
            "A community health nonprofit running free clinics, vaccination drives and "
            "health-literacy programs in three counties."
        ),
        "verified": True,
        "owner": ("grace.liu@civichealth.example.org", "Grace", "Liu"),
        "supervisors": [("marcus.bell@civichealth.example.org", "Marcus", "Bell")],
    },
    {
        "slug": "juniper-studio",
        "name": "Juniper Studio",
        "website": "https://juniper-studio.example.com",
        "industry": "Design agency",
        "size": "1-10",
        "description": (
            "A two-year-old brand and web design studio working with independent shops, "
            "restaurants and local festivals."
        ),
        "verified": False,
        "owner": ("theo.park@juniper-studio.example.com", "Theo", "Park"),
        "supervisors": [("ines.duarte@juniper-studio.example.com", "Ines", "Duarte")],
    },
]

# ------------------------------------------------------------------------------
# Students
# ------------------------------------------------------------------------------
# (first, last, institution key, major, degree level, graduation year, headline,
#  [(skill, level 1-5)], shares with career office, an interest sentence for the bio)
STUDENTS: list[tuple] = [
    (
        "Ava",
        "Martinez",
        "northfield",
        "Economics",
        "bachelor",
        2026,
        "Economics student who turns messy spreadsheets into clear answers",
        [
            ("Microsoft Excel", 4),
            ("SQL", 3),
            ("Data analysis", 4),
            ("Tableau", 3),
            ("Statistics", 3),
        ],
        True,
        "I have spent two summers cleaning sales data for a family-run grocery chain.",
    ),
    (
        "Liam",
        "Nguyen",
        "northfield",
        "Computer Science",
        "bachelor",
        2027,
        "Full-stack developer in the making, happiest in Python",
        [("Python", 4), ("Django", 3), ("JavaScript", 3), ("Git", 4), ("SQL", 3)],
        True,
        "I maintain the web app my robotics club uses to schedule lab time.",
    ),
    (
        "Sofia",
        "Rossi",
        "northfield",
        "Marketing",
        "bachelor",
        2025,
        "Marketing senior focused on social and email campaigns",
        [
            ("Social media marketing", 4),
            ("Email marketing", 3),
            ("Copywriting", 4),
            ("Canva", 4),
            ("Google Analytics", 2),
        ],
        True,
        "I run the Instagram account of our campus food pantry (4,000 followers).",
    ),
    (
        "Noah",
        "Kim",
        "northfield",
        "Statistics",
        "master",
        2026,
        "Statistics master's student who likes forecasting problems",
        [("R", 5), ("Statistics", 5), ("Forecasting", 4), ("Python", 3), ("pandas", 3)],
        True,
        "My thesis models weekly demand for a regional bike-share system.",
    ),
    (
        "Emma",
        "Johnson",
        "northfield",
        "Graphic Design",
        "bachelor",
        2028,
        "Designer who loves clean layouts and bold type",
        [("Graphic design", 4), ("Adobe Illustrator", 4), ("Figma", 3), ("Logo design", 3)],
        True,
        "I design posters for the student theater every semester.",
    ),
    (
        "Mateo",
        "Garcia",
        "northfield",
        "Finance",
        "bachelor",
        2026,
        "Finance student with a soft spot for small-business budgets",
        [("Financial modeling", 4), ("Microsoft Excel", 5), ("Budgeting", 4), ("Valuation", 3)],
        False,
        "I volunteer as a bookkeeper for two neighborhood nonprofits.",
    ),
    (
        "Chloe",
        "Williams",
        "northfield",
        "Public Health",
        "master",
        2025,
        "Public health graduate student, survey design and community outreach",
        [("Survey design", 4), ("Qualitative research", 4), ("Report writing", 3), ("Spanish", 4)],
        True,
        "I coordinated a 600-respondent health survey in two languages.",
    ),
    (
        "Ethan",
        "Brown",
        "northfield",
        "Information Systems",
        "bachelor",
        2027,
        "Information systems student who automates boring work",
        [("Airtable", 4), ("Python", 3), ("Process improvement", 3), ("Notion", 4)],
        True,
        "I rebuilt my dorm's chore rota as an Airtable base with reminders.",
    ),
    (
        "Isabella",
        "Lopez",
        "northfield",
        "English",
        "bachelor",
        2026,
        "Writer and editor, newsletters to grant proposals",
        [
            ("Editing and proofreading", 5),
            ("Blog writing", 4),
            ("Grant writing", 3),
            ("Newsletter writing", 4),
        ],
        True,
        "I edit the opinion section of the Northfield Ledger.",
    ),
    (
        "Lucas",
        "Anderson",
        "northfield",
        "Business Administration",
        "bachelor",
        2028,
        "First-year business student curious about sales",
        [("Lead research", 2), ("CRM management", 2), ("Microsoft Excel", 3), ("Cold outreach", 2)],
        True,
        "I sold ads for our high-school yearbook and liked talking to local businesses.",
    ),
    (
        "Mia",
        "Thompson",
        "lakeshore",
        "Psychology",
        "bachelor",
        2026,
        "Psychology student who runs user interviews like studies",
        [
            ("User interviews", 4),
            ("UX research", 3),
            ("Survey analysis", 3),
            ("Qualitative research", 4),
        ],
        True,
        "I assist in the cognition lab and have run over forty participant sessions.",
    ),
    (
        "Benjamin",
        "Clark",
        "lakeshore",
        "Accounting",
        "bachelor",
        2025,
        "Accounting senior, QuickBooks-certified",
        [("Bookkeeping", 5), ("QuickBooks", 4), ("Financial reporting", 4), ("Tax preparation", 3)],
        True,
        "I prepared returns at the campus Volunteer Income Tax Assistance site.",
    ),
    (
        "Harper",
        "Lewis",
        "lakeshore",
        "Communications",
        "bachelor",
        2027,
        "Storyteller across video, social and press",
        [
            ("Video editing", 4),
            ("Press releases", 3),
            ("Scriptwriting", 3),
            ("Social media marketing", 3),
        ],
        True,
        "I produce a weekly two-minute video news recap for Lakeshore Radio.",
    ),
    (
        "Elijah",
        "Walker",
        "lakeshore",
        "Environmental Science",
        "bachelor",
        2026,
        "Environmental science student mapping urban heat and transit",
        [
            ("Data analysis", 3),
            ("Policy research", 4),
            ("Report writing", 4),
            ("Microsoft Excel", 3),
        ],
        False,
        "My capstone maps tree cover against bus ridership in the city.",
    ),
    (
        "Amelia",
        "Hall",
        "lakeshore",
        "Marketing",
        "associate",
        2026,
        "Marketing associate student with retail floor experience",
        [("Market research", 3), ("Canva", 4), ("Event marketing", 3), ("Customer support", 4)],
        True,
        "I have worked four years in specialty retail, two as a shift lead.",
    ),
    (
        "James",
        "Young",
        "lakeshore",
        "Computer Science",
        "bachelor",
        2028,
        "CS first-year who builds small React apps for fun",
        [("JavaScript", 3), ("React", 3), ("HTML and CSS", 4), ("Git", 2)],
        True,
        "I built a study-room finder that 300 classmates use.",
    ),
    (
        "Evelyn",
        "King",
        "lakeshore",
        "Human Resources",
        "bachelor",
        2025,
        "HR senior interested in fair hiring practices",
        [
            ("Recruiting", 3),
            ("Job description writing", 4),
            ("Onboarding", 3),
            ("Diversity, equity and inclusion", 4),
        ],
        True,
        "I redesigned the onboarding guide for student employees at the library.",
    ),
    (
        "Henry",
        "Wright",
        "lakeshore",
        "Economics",
        "master",
        2027,
        "Applied economist: pricing, surveys and a lot of regressions",
        [("Pricing analysis", 4), ("Statistics", 4), ("Python", 3), ("Survey analysis", 3)],
        True,
        "I studied menu-price elasticity at campus dining for my master's project.",
    ),
    (
        "Abigail",
        "Scott",
        "lakeshore",
        "Nursing",
        "bachelor",
        2026,
        "Nursing student passionate about health literacy",
        [("Training materials", 3), ("Public speaking", 4), ("Spanish", 3), ("Report writing", 3)],
        True,
        "I lead blood-pressure screening events at two community centers.",
    ),
    (
        "Alexander",
        "Green",
        "lakeshore",
        "Product Design",
        "bootcamp",
        2025,
        "Career-changer finishing a UX bootcamp",
        [
            ("UI design", 3),
            ("Figma", 4),
            ("Wireframing and prototyping", 4),
            ("Usability testing", 3),
        ],
        True,
        "Before design I spent five years as a restaurant manager.",
    ),
    (
        "Olivia",
        "Baker",
        "riverbend",
        "Data Science",
        "bachelor",
        2026,
        "Data science student building dashboards people actually use",
        [("Python", 4), ("pandas", 4), ("Power BI", 4), ("Dashboard design", 4), ("SQL", 4)],
        True,
        "I built the enrollment dashboard our department chair checks every Monday.",
    ),
    (
        "William",
        "Adams",
        "riverbend",
        "Software Engineering",
        "bachelor",
        2027,
        "Backend engineer in training: APIs, tests, Docker",
        [("REST APIs", 4), ("Python", 4), ("Docker", 3), ("Automated testing", 3), ("Go", 2)],
        True,
        "I wrote the API behind our hackathon team's transit-delay app.",
    ),
    (
        "Charlotte",
        "Nelson",
        "riverbend",
        "Industrial Engineering",
        "bachelor",
        2026,
        "Industrial engineer who likes warehouses more than she should",
        [
            ("Supply chain analysis", 4),
            ("Lean and Six Sigma", 3),
            ("Inventory management", 4),
            ("Microsoft Excel", 4),
        ],
        True,
        "I did a time-and-motion study of our campus mailroom that cut wait times by half.",
    ),
    (
        "Daniel",
        "Carter",
        "riverbend",
        "Computer Engineering",
        "master",
        2028,
        "Embedded systems and mobile apps",
        [("Mobile development", 3), ("JavaScript", 3), ("TypeScript", 3), ("Git", 4)],
        False,
        "I am building a Bluetooth bike-lock prototype in my lab.",
    ),
    (
        "Grace",
        "Mitchell",
        "riverbend",
        "Technical Communication",
        "bachelor",
        2025,
        "Technical writer who makes complex systems understandable",
        [
            ("Technical writing", 5),
            ("UX writing", 4),
            ("Editing and proofreading", 4),
            ("Presentation design", 3),
        ],
        True,
        "I rewrote the help center of a campus startup and halved their support tickets.",
    ),
    (
        "Samuel",
        "Perez",
        "riverbend",
        "Business Analytics",
        "bachelor",
        2027,
        "Analytics student into customer data and churn",
        [("SQL", 4), ("Tableau", 4), ("A/B testing", 3), ("Product analytics", 3)],
        True,
        "I analyzed a semester of campus café loyalty-card data for a class project.",
    ),
    (
        "Victoria",
        "Roberts",
        "riverbend",
        "Mechanical Engineering",
        "bachelor",
        2026,
        "Mechanical engineer with a research streak",
        [
            ("Literature review", 4),
            ("Industry research", 3),
            ("Report writing", 4),
            ("Cost analysis", 3),
        ],
        True,
        "I compared battery chemistries for our Formula SAE electric team.",
    ),
    (
        "Jack",
        "Turner",
        "riverbend",
        "Marketing Analytics",
        "master",
        2026,
        "Growth marketer with an analyst's toolkit",
        [
            ("Marketing analytics", 4),
            ("Google Analytics", 4),
            ("Search engine optimization (SEO)", 3),
            ("A/B testing", 3),
        ],
        True,
        "I grew a campus club's newsletter from 200 to 1,100 subscribers.",
    ),
    (
        "Zoe",
        "Phillips",
        "riverbend",
        "Product Management",
        "master",
        2027,
        "Aspiring PM who writes crisp user stories",
        [
            ("Product requirements", 4),
            ("User stories", 4),
            ("Roadmapping", 3),
            ("Jira", 3),
            ("Customer feedback analysis", 3),
        ],
        True,
        "I was product lead for a student team shipping a parking-availability app.",
    ),
    (
        "Owen",
        "Campbell",
        "riverbend",
        "Computer Science",
        "bachelor",
        2025,
        "Senior CS student, data pipelines and scraping",
        [("Web scraping", 4), ("Python", 5), ("Data cleaning", 4), ("SQL", 3)],
        True,
        "I scrape and clean public transit schedules for a research group.",
    ),
]

#: Students who registered a graduation year before graduation dates were asked for:
#: they have the year only, and the knowledge rate leaves them out (and says so).
NO_GRADUATION_DATE = {
    "Lucas Anderson",
    "James Young",
    "Daniel Carter",
    "Leah Morales",
    "Caleb Hughes",
    "Sara Lindqvist",
    "Fiona Walsh",
    "Derek Simmons",
}

# ------------------------------------------------------------------------------
# Northfield's placement cohort
# ------------------------------------------------------------------------------
# Enough Northfield students for the career office's figures to clear the privacy
# threshold (k = 5): four majors of at least five students each (with the demo students
# above), three graduating classes, two academic years of history (see PLACEMENT_HISTORY).
# (first, last, major, class (0: graduates at the end of the current academic year,
#  -1: graduated last spring, 1: the year after), [(skill, level)])
COHORT: list[tuple[str, str, str, int, list[tuple[str, int]]]] = [
    ("Aiden", "Patel", "Computer Science", -1, [("Python", 4), ("SQL", 4), ("Git", 3)]),
    ("Maya", "Goldberg", "Computer Science", -1, [("Python", 3), ("Survey design", 3), ("R", 3)]),
    ("Ryan", "Okoro", "Computer Science", 0, [("SQL", 4), ("Python", 3), ("Power BI", 3)]),
    ("Hannah", "Weiss", "Computer Science", 0, [("SQL", 3), ("Tableau", 4), ("Python", 3)]),
    ("Leah", "Morales", "Computer Science", 0, [("JavaScript", 3), ("React", 3), ("Git", 3)]),
    ("Kevin", "Tran", "Computer Science", 1, [("Python", 3), ("Data analysis", 3), ("Git", 2)]),
    (
        "Tyler",
        "Jensen",
        "Computer Science",
        1,
        [("HTML and CSS", 3), ("JavaScript", 2), ("SQL", 2)],
    ),
    (
        "Priya",
        "Desai",
        "Economics",
        -1,
        [("Microsoft Excel", 5), ("Statistics", 4), ("Data analysis", 4)],
    ),
    ("Marcus", "Flynn", "Economics", -1, [("Microsoft Excel", 4), ("SQL", 3), ("Statistics", 3)]),
    (
        "Elena",
        "Petrova",
        "Economics",
        0,
        [("Data analysis", 4), ("Forecasting", 3), ("Microsoft Excel", 4)],
    ),
    ("Jonah", "Brandt", "Economics", 0, [("Statistics", 3), ("Python", 2), ("Data analysis", 3)]),
    (
        "Nadia",
        "Rahman",
        "Economics",
        0,
        [("Pricing analysis", 3), ("Microsoft Excel", 4), ("SQL", 3)],
    ),
    (
        "Sara",
        "Lindqvist",
        "Economics",
        1,
        [("Microsoft Excel", 3), ("Survey analysis", 3), ("Report writing", 3)],
    ),
    (
        "Olivia",
        "Grant",
        "Marketing",
        -1,
        [("Social media marketing", 5), ("Copywriting", 4), ("Canva", 4)],
    ),
    (
        "Diego",
        "Ramirez",
        "Marketing",
        -1,
        [("Social media marketing", 4), ("Video editing", 3), ("Copywriting", 3)],
    ),
    (
        "Naomi",
        "Castillo",
        "Marketing",
        0,
        [("Email marketing", 4), ("Social media marketing", 4), ("Canva", 3)],
    ),
    (
        "Ben",
        "Whitaker",
        "Marketing",
        0,
        [("Event marketing", 4), ("Public speaking", 3), ("Copywriting", 3)],
    ),
    (
        "Caleb",
        "Hughes",
        "Marketing",
        0,
        [("Market research", 3), ("Google Analytics", 2), ("Canva", 3)],
    ),
    (
        "Ruby",
        "Sanders",
        "Marketing",
        1,
        [("Social media marketing", 3), ("Photography", 3), ("Canva", 4)],
    ),
    (
        "Jasmine",
        "Reed",
        "Business Administration",
        -1,
        [("Budgeting", 4), ("Microsoft Excel", 4), ("Financial reporting", 3)],
    ),
    (
        "Tariq",
        "Hassan",
        "Business Administration",
        -1,
        [("Survey analysis", 3), ("Report writing", 3), ("Microsoft Excel", 3)],
    ),
    (
        "Derek",
        "Simmons",
        "Business Administration",
        -1,
        [("Bookkeeping", 3), ("Microsoft Excel", 3), ("Customer support", 4)],
    ),
    (
        "Megan",
        "O'Neill",
        "Business Administration",
        0,
        [("CRM management", 4), ("Lead research", 3), ("Microsoft Excel", 3)],
    ),
    (
        "Luis",
        "Herrera",
        "Business Administration",
        0,
        [("Cold outreach", 3), ("CRM management", 3), ("Salesforce", 2)],
    ),
    (
        "Fiona",
        "Walsh",
        "Business Administration",
        1,
        [("Process improvement", 3), ("Microsoft Excel", 3), ("Customer support", 3)],
    ),
]

#: What a cohort student's profile says, by major: (headline, a sentence for the bio).
COHORT_MAJORS: dict[str, tuple[str, str]] = {
    "Computer Science": (
        "Computer science student who likes data work as much as code",
        "I tutor the intro programming course and build small tools for campus clubs.",
    ),
    "Economics": (
        "Economics student comfortable with spreadsheets, surveys and regressions",
        "I research local labor markets as a student assistant in the economics department.",
    ),
    "Marketing": (
        "Marketing student who plans campaigns and measures what they do",
        "I run social media for a student organization with a few thousand followers.",
    ),
    "Business Administration": (
        "Business student interested in operations, sales and finance",
        "I work part-time at the campus bookstore and manage its weekly inventory report.",
    ),
}

#: Students who moved from another institution: (the institution they came from, days
#: after July 1 of the previous academic year when the new school verified them). Their
#: events before the move count for the old school, after it for the new one.
TRANSFERS: dict[str, tuple[str, int]] = {"Nadia Rahman": ("lakeshore", 195)}

# ------------------------------------------------------------------------------
# Projects
# ------------------------------------------------------------------------------
# status: the status the project ends in. "cancelled" projects pass through "open"
# unless cancel_from says "draft". Deadlines are days from today; published_days_ago
# spreads publication over the last weeks so the browse page looks lived-in.
PROJECTS: list[dict] = [
    # --- Brightline Analytics -----------------------------------------------------
    {
        "org": "brightline-analytics",
        "supervisor": "jordan.ellis@brightline-analytics.example.com",
        "title": "Build a weekly sales dashboard in Power BI",
        "slots": 2,
        "category": "data",
        "work_mode": "remote",
        "hours": 25,
        "fee": 650,
        "status": "open",
        "deadline_days": 12,
        "duration_days": 21,
        "published_days_ago": 2,
        "required": ["Power BI", "Data visualization"],
        "nice": ["SQL"],
        "summary": (
            "Turn a regional retailer's weekly sales export into a Power BI dashboard the "
            "store managers can read in five minutes."
        ),
        "context": (
            "Our client, a chain of twelve hardware stores, emails its managers a 40-tab "
            "spreadsheet every Monday. Nobody reads it."
        ),
        "deliverables": [
            "A Power BI report with sales by store, category and week",
            "A one-page guide for store managers",
            "A 20-minute walkthrough call with our analyst team",
        ],
        "screening": ["Share a chart or dashboard you built and what decision it supported."],
    },
    {
        "org": "brightline-analytics",
        "supervisor": "priya.raman@brightline-analytics.example.com",
        "title": "Clean and deduplicate a 60,000-row donor database",
        "category": "data",
        "work_mode": "remote",
        "hours": 20,
        "fee": 480,
        "status": "open",
        "deadline_days": 9,
        "duration_days": 14,
        "published_days_ago": 4,
        "required": ["Data cleaning", "Microsoft Excel"],
        "nice": ["Python", "pandas"],
        "summary": (
            "Find and merge duplicate donor records for a food-bank client, and document "
            "the rules you used so they can repeat it each quarter."
        ),
        "context": (
            "Years of event sign-ups and online gifts left the donor list full of near-"
            "duplicates: 'Jon Smith' and 'Jonathan Smith, Jr.' at the same address."
        ),
        "deliverables": [
            "A cleaned donor file with a merge log",
            "A written list of matching rules",
            "A repeatable script or spreadsheet template",
        ],
    },
    {
        "org": "brightline-analytics",
        "supervisor": "jordan.ellis@brightline-analytics.example.com",
        "title": "Forecast holiday demand for a grocery cooperative",
        "category": "data",
        "work_mode": "remote",
        "hours": 30,
        "fee": 800,
        "status": "open",
        "deadline_days": 18,
        "duration_days": 28,
        "published_days_ago": 1,
        "required": ["Forecasting", "Statistics"],
        "nice": ["R", "Python"],
        "summary": (
            "Build a simple, explainable forecast of holiday-season demand for the top 200 "
            "products of a three-store grocery co-op."
        ),
        "context": (
            "Last December the co-op ran out of cranberries twice and threw away a "
            "truckload of squash. Three years of daily sales are ready for you."
        ),
        "deliverables": [
            "A forecast per product and week for November–January",
            "A short memo on the method and its error on last year's data",
            "The notebook or workbook that produced it",
        ],
    },
    {
        "org": "brightline-analytics",
        "supervisor": "priya.raman@brightline-analytics.example.com",
        "title": "Write SQL reports for a customer loyalty program",
        "category": "data",
        "work_mode": "hybrid",
        "location": "Chicago, IL",
        "hours": 15,
        "fee": 375,
        "status": "open",
        "deadline_days": 7,
        "duration_days": 10,
        "published_days_ago": 6,
        "required": ["SQL"],
        "nice": ["Data analysis"],
        "summary": (
            "Write five SQL reports on a café chain's loyalty data: active members, visit "
            "frequency, redemption rates, churn and top products."
        ),
        "context": (
            "The loyalty program launched a year ago; the marketing team wants to know "
            "whether it changes how often people come back."
        ),
        "deliverables": ["Five documented SQL queries", "A results summary with charts"],
    },
    {
        "org": "brightline-analytics",
        "supervisor": "jordan.ellis@brightline-analytics.example.com",
        "title": "Survey analysis for a neighborhood library system",
        "category": "research",
        "work_mode": "remote",
        "hours": 18,
        "fee": 420,
        "status": "closed",
        "deadline_days": 5,
        "duration_days": 14,
        "published_days_ago": 16,
        "required": ["Survey analysis", "Data visualization"],
        "nice": ["Report writing"],
        "summary": (
            "Analyze 1,800 responses to a library patron survey and summarize what "
            "patrons want from weekend opening hours."
        ),
        "context": "The library board votes on new opening hours next month.",
        "deliverables": ["A slide deck of findings", "Cleaned data and cross-tabs"],
    },
    {
        "org": "brightline-analytics",
        "supervisor": "priya.raman@brightline-analytics.example.com",
        "title": "Customer segmentation for an outdoor gear shop",
        "slots": 2,
        "category": "data",
        "work_mode": "remote",
        "hours": 28,
        "fee": 700,
        "status": "completed",
        "deadline_days": 6,
        "duration_days": 21,
        "published_days_ago": 30,
        "required": ["Python", "Machine learning"],
        "nice": ["Data visualization"],
        "summary": (
            "Group an online outdoor-gear shop's 25,000 customers into segments the "
            "marketing team can act on."
        ),
        "context": "The shop sends the same newsletter to everyone and wants to stop.",
        "deliverables": [
            "Segment definitions with sizes and profiles",
            "A notebook that assigns new customers to a segment",
        ],
    },
    {
        "org": "brightline-analytics",
        "supervisor": "jordan.ellis@brightline-analytics.example.com",
        "title": "Data dictionary for a city open-data portal",
        "category": "writing",
        "work_mode": "remote",
        "hours": 12,
        "fee": 300,
        "status": "draft",
        "deadline_days": 20,
        "duration_days": 14,
        "required": ["Technical writing"],
        "nice": ["SQL"],
        "summary": (
            "Document 30 datasets of a city's open-data portal: what each column means, "
            "where it comes from and how often it changes."
        ),
        "context": "Residents keep asking the city what 'ZN_CD_2' means.",
        "deliverables": ["A data dictionary for 30 datasets", "A style guide for new entries"],
    },
    {
        "org": "brightline-analytics",
        "supervisor": "priya.raman@brightline-analytics.example.com",
        "title": "Tableau workbook for nonprofit program outcomes",
        "category": "data",
        "work_mode": "remote",
        "hours": 22,
        "fee": 540,
        "status": "open",
        "deadline_days": 15,
        "duration_days": 21,
        "published_days_ago": 3,
        "required": ["Tableau"],
        "nice": ["Data cleaning", "Statistics"],
        "summary": (
            "Build a Tableau workbook showing a youth-mentoring nonprofit's outcomes for "
            "its annual report and funders."
        ),
        "context": "Funders ask for the same numbers every year in a different format.",
        "deliverables": ["A published Tableau workbook", "Three static charts for print"],
    },
    # --- Harbor & Pine Coffee Co. ------------------------------------------------
    {
        "org": "harbor-and-pine-coffee",
        "supervisor": "lena.fischer@harborandpine.example.com",
        "title": "Plan a month of Instagram content for our fall blend",
        "category": "marketing",
        "work_mode": "remote",
        "hours": 16,
        "fee": 400,
        "status": "open",
        "deadline_days": 8,
        "duration_days": 14,
        "published_days_ago": 2,
        "required": ["Social media marketing", "Copywriting"],
        "nice": ["Canva", "Photography"],
        "summary": (
            "Plan and write 20 Instagram posts and 8 stories launching our limited fall "
            "blend, with captions, hashtags and a posting calendar."
        ),
        "context": "Our fall blend sells out every year; this year we want the story told.",
        "deliverables": [
            "A content calendar for October",
            "Captions for 20 posts and 8 stories",
            "Mock-ups of five key posts",
        ],
        "screening": ["Link to a social account or campaign you ran."],
    },
    {
        "org": "harbor-and-pine-coffee",
        "supervisor": "lena.fischer@harborandpine.example.com",
        "title": "Subscription churn interviews with ten customers",
        "category": "research",
        "work_mode": "remote",
        "hours": 20,
        "fee": 500,
        "status": "open",
        "deadline_days": 11,
        "duration_days": 21,
        "published_days_ago": 5,
        "required": ["User interviews", "Qualitative research"],
        "nice": ["Customer feedback analysis"],
        "summary": (
            "Interview ten people who cancelled their coffee subscription and find out "
            "why, in their own words."
        ),
        "context": "A third of subscribers cancel within four months. We have guesses only.",
        "deliverables": [
            "An interview guide",
            "Ten interview notes",
            "A findings memo with three recommendations",
        ],
    },
    {
        "org": "harbor-and-pine-coffee",
        "supervisor": "sam.okafor@harborandpine.example.com",
        "title": "Price benchmark of specialty coffee across 30 cafés",
        "slots": 2,
        "category": "finance",
        "work_mode": "hybrid",
        "location": "Portland, OR",
        "hours": 14,
        "fee": 340,
        "status": "open",
        "deadline_days": 10,
        "duration_days": 14,
        "published_days_ago": 7,
        "required": ["Pricing analysis", "Microsoft Excel"],
        "nice": ["Competitive analysis"],
        "summary": (
            "Collect drink and bean prices from 30 competing cafés and tell us where our menu sits."
        ),
        "context": "Milk prices rose 18% this year and our menu has not changed in two.",
        "deliverables": ["A price table of 30 cafés", "A one-page pricing recommendation"],
    },
    {
        "org": "harbor-and-pine-coffee",
        "supervisor": "lena.fischer@harborandpine.example.com",
        "title": "Wholesale lead list of independent grocers",
        "category": "sales",
        "work_mode": "remote",
        "hours": 12,
        "fee": 300,
        "status": "open",
        "deadline_days": 6,
        "duration_days": 10,
        "published_days_ago": 8,
        "required": ["Lead research", "Prospecting"],
        "nice": ["HubSpot"],
        "summary": (
            "Build a qualified list of 150 independent grocers in Oregon and Washington "
            "that could stock our beans."
        ),
        "context": "Wholesale is our fastest-growing line and our sales team is one person.",
        "deliverables": ["150 qualified leads with contacts", "Notes on the top 20"],
    },
    {
        "org": "harbor-and-pine-coffee",
        "supervisor": "sam.okafor@harborandpine.example.com",
        "title": "Inventory count process for nine cafés",
        "category": "operations",
        "work_mode": "onsite",
        "location": "Portland, OR",
        "hours": 24,
        "fee": 600,
        "status": "open",
        "deadline_days": 14,
        "duration_days": 21,
        "published_days_ago": 3,
        "required": ["Inventory management", "Process improvement"],
        "nice": ["Airtable"],
        "summary": (
            "Design a weekly inventory count that takes a barista 20 minutes, not two "
            "hours, and pilot it in two cafés."
        ),
        "context": "Every café counts differently, and the numbers never match orders.",
        "deliverables": [
            "A count sheet and process",
            "Pilot results from two cafés",
            "A rollout checklist",
        ],
    },
    {
        "org": "harbor-and-pine-coffee",
        "supervisor": "lena.fischer@harborandpine.example.com",
        "title": "Email welcome series for new subscribers",
        "category": "marketing",
        "work_mode": "remote",
        "hours": 10,
        "fee": 260,
        "status": "completed",
        "deadline_days": 4,
        "duration_days": 10,
        "published_days_ago": 28,
        "required": ["Email marketing", "Copywriting"],
        "nice": ["Marketing automation"],
        "summary": "Write a five-email welcome series for new coffee subscribers.",
        "context": "New subscribers get a receipt and nothing else.",
        "deliverables": ["Five emails with subject lines", "A/B subject-line ideas"],
    },
    {
        "org": "harbor-and-pine-coffee",
        "supervisor": "sam.okafor@harborandpine.example.com",
        "title": "Café opening event for our Tacoma location",
        "category": "marketing",
        "work_mode": "onsite",
        "location": "Tacoma, WA",
        "hours": 20,
        "fee": 480,
        "status": "cancelled",
        "deadline_days": 9,
        "duration_days": 14,
        "published_days_ago": 12,
        "cancel_reason": "The lease for the Tacoma café was delayed to next spring.",
        "required": ["Event planning", "Event marketing"],
        "nice": ["Community management"],
        "summary": "Plan the opening weekend of our tenth café: vendors, promotion, schedule.",
        "context": "We want the neighborhood in the door on day one.",
        "deliverables": ["An event plan and budget", "A promotion timeline"],
    },
    {
        "org": "harbor-and-pine-coffee",
        "supervisor": "lena.fischer@harborandpine.example.com",
        "title": "Redesign our bean bag labels",
        "category": "design",
        "work_mode": "remote",
        "hours": 18,
        "fee": 450,
        "status": "draft",
        "deadline_days": 16,
        "duration_days": 21,
        "required": ["Graphic design", "Adobe Illustrator"],
        "nice": ["Illustration"],
        "summary": "Refresh the labels of our eight single-origin bags, print-ready.",
        "context": "Customers say our bags all look the same on the shelf.",
        "deliverables": ["Eight print-ready label files", "A label template for new origins"],
    },
    # --- Greenway Mobility ---------------------------------------------------------
    {
        "org": "greenway-mobility",
        "supervisor": "hannah.brooks@greenway-mobility.example.com",
        "title": "Rebalancing analysis for a campus e-bike fleet",
        "category": "data",
        "work_mode": "remote",
        "hours": 30,
        "fee": 780,
        "status": "open",
        "deadline_days": 16,
        "duration_days": 28,
        "published_days_ago": 1,
        "required": ["Python", "Data analysis"],
        "nice": ["Data visualization", "SQL"],
        "summary": (
            "Use six months of trip data to find where and when our campus e-bikes pile "
            "up, and propose a rebalancing schedule."
        ),
        "context": "Our vans drive 300 km a week moving bikes, often to the wrong places.",
        "deliverables": [
            "A notebook with trip-flow analysis",
            "A proposed rebalancing schedule",
            "A ten-minute presentation to the ops team",
        ],
        "screening": ["Which Python libraries would you use and why?"],
    },
    {
        "org": "greenway-mobility",
        "supervisor": "hannah.brooks@greenway-mobility.example.com",
        "title": "Automated tests for our fleet-status API",
        "category": "software",
        "work_mode": "remote",
        "hours": 25,
        "fee": 700,
        "status": "open",
        "deadline_days": 13,
        "duration_days": 21,
        "published_days_ago": 4,
        "required": ["Automated testing", "Python"],
        "nice": ["REST APIs", "Docker"],
        "summary": (
            "Write pytest tests for the ten most-used endpoints of our fleet-status API "
            "and run them in CI."
        ),
        "context": "Two outages this year came from untested changes to the same endpoint.",
        "deliverables": ["A test suite covering ten endpoints", "A CI job that runs it"],
    },
    {
        "org": "greenway-mobility",
        "supervisor": "carlos.rivera@greenway-mobility.example.com",
        "title": "Rider survey on safety and helmet use",
        "category": "research",
        "work_mode": "remote",
        "hours": 16,
        "fee": 380,
        "status": "open",
        "deadline_days": 10,
        "duration_days": 21,
        "published_days_ago": 6,
        "required": ["Survey design", "Survey analysis"],
        "nice": ["Report writing"],
        "summary": (
            "Design, run and analyze an in-app survey of riders about safety, helmets and "
            "bike lanes in two partner cities."
        ),
        "context": "Our city partners want evidence before they fund a helmet program.",
        "deliverables": ["A survey instrument", "A report with charts for city partners"],
    },
    {
        "org": "greenway-mobility",
        "supervisor": "hannah.brooks@greenway-mobility.example.com",
        "title": "React component library cleanup",
        "category": "software",
        "work_mode": "remote",
        "hours": 30,
        "fee": 840,
        "status": "open",
        "deadline_days": 20,
        "duration_days": 28,
        "published_days_ago": 2,
        "required": ["React", "TypeScript"],
        "nice": ["UI design"],
        "summary": (
            "Consolidate three generations of buttons, forms and modals in our operator "
            "console into one documented React component library."
        ),
        "context": "We have four kinds of blue button and two date pickers.",
        "deliverables": [
            "A component library with stories",
            "Migration of the console to it",
        ],
    },
    {
        "org": "greenway-mobility",
        "supervisor": "carlos.rivera@greenway-mobility.example.com",
        "title": "Grant application for a city micromobility fund",
        "category": "writing",
        "work_mode": "remote",
        "hours": 14,
        "fee": 360,
        "status": "open",
        "deadline_days": 5,
        "duration_days": 12,
        "published_days_ago": 9,
        "required": ["Grant writing"],
        "nice": ["Policy research"],
        "summary": "Draft our application to a state fund for low-income e-bike access.",
        "context": "The fund closes next month and covers up to 500 subsidized memberships.",
        "deliverables": ["A complete grant draft", "A budget narrative"],
    },
    {
        "org": "greenway-mobility",
        "supervisor": "hannah.brooks@greenway-mobility.example.com",
        "title": "Competitive teardown of three bike-share apps",
        "category": "product",
        "work_mode": "remote",
        "hours": 12,
        "fee": 300,
        "status": "closed",
        "deadline_days": 4,
        "duration_days": 10,
        "published_days_ago": 14,
        "required": ["Competitive product teardown"],
        "nice": ["UX research"],
        "summary": "Compare the unlock-to-ride flow of three competing apps, screen by screen.",
        "context": "Riders tell us unlocking takes too long; we want to know why.",
        "deliverables": ["An annotated teardown deck", "Five improvement ideas"],
    },
    {
        "org": "greenway-mobility",
        "supervisor": "carlos.rivera@greenway-mobility.example.com",
        "title": "Cost model for battery swaps",
        "slots": 2,
        "category": "finance",
        "work_mode": "remote",
        "hours": 20,
        "fee": 520,
        "status": "completed",
        "deadline_days": 5,
        "duration_days": 14,
        "published_days_ago": 35,
        "required": ["Cost analysis", "Financial modeling"],
        "nice": ["Microsoft Excel"],
        "summary": "Model the cost of swapping batteries in the field versus at the depot.",
        "context": "We are deciding whether to buy two more swap vans.",
        "deliverables": ["A cost model workbook", "A recommendation memo"],
    },
    {
        "org": "greenway-mobility",
        "supervisor": "hannah.brooks@greenway-mobility.example.com",
        "title": "Ride-history export for the mobile app",
        "category": "software",
        "work_mode": "remote",
        "hours": 20,
        "fee": 560,
        "status": "cancelled",
        "cancel_from": "draft",
        "deadline_days": 10,
        "duration_days": 14,
        "cancel_reason": "Our app vendor is shipping this feature in the next release.",
        "required": ["Mobile development"],
        "nice": ["REST APIs"],
        "summary": "Let riders export their ride history as CSV from the mobile app.",
        "context": "Commuters want their rides for expense reports.",
        "deliverables": ["A pull request with the export feature"],
    },
    # --- Civic Health Alliance -----------------------------------------------------
    {
        "org": "civic-health-alliance",
        "supervisor": "marcus.bell@civichealth.example.org",
        "title": "Translate clinic intake forms into Spanish",
        "category": "writing",
        "work_mode": "remote",
        "hours": 10,
        "fee": 240,
        "status": "open",
        "deadline_days": 7,
        "duration_days": 10,
        "published_days_ago": 3,
        "required": ["Translation", "Spanish"],
        "nice": ["Editing and proofreading"],
        "summary": "Translate and adapt six clinic intake forms for Spanish-speaking patients.",
        "context": "Four in ten of our patients prefer Spanish; our forms are English-only.",
        "deliverables": ["Six translated forms", "A glossary of medical terms used"],
    },
    {
        "org": "civic-health-alliance",
        "supervisor": "marcus.bell@civichealth.example.org",
        "title": "Volunteer onboarding handbook",
        "category": "people",
        "work_mode": "remote",
        "hours": 18,
        "fee": 400,
        "status": "open",
        "deadline_days": 12,
        "duration_days": 21,
        "published_days_ago": 5,
        "required": ["Onboarding", "Training materials"],
        "nice": ["Canva"],
        "summary": (
            "Write the handbook every new clinic volunteer reads on day one: roles, "
            "privacy rules, safety and who to ask."
        ),
        "context": "We onboard 40 volunteers a month with a slide deck from 2016.",
        "deliverables": ["A volunteer handbook", "A one-page quick-start sheet"],
    },
    {
        "org": "civic-health-alliance",
        "supervisor": "grace.liu@civichealth.example.org",
        "title": "Map vaccination-drive turnout by neighborhood",
        "category": "data",
        "work_mode": "remote",
        "hours": 22,
        "fee": 520,
        "status": "open",
        "deadline_days": 17,
        "duration_days": 21,
        "published_days_ago": 2,
        "required": ["Data analysis", "Data visualization"],
        "nice": ["Python", "Looker Studio"],
        "summary": (
            "Join two years of vaccination-drive sign-ups with census data and show which "
            "neighborhoods we are missing."
        ),
        "context": "We choose drive locations by habit; we want to choose them by need.",
        "deliverables": ["Maps and charts by neighborhood", "A list of five suggested sites"],
    },
    {
        "org": "civic-health-alliance",
        "supervisor": "marcus.bell@civichealth.example.org",
        "title": "Health-literacy blog series on blood pressure",
        "category": "writing",
        "work_mode": "remote",
        "hours": 12,
        "fee": 280,
        "status": "open",
        "deadline_days": 9,
        "duration_days": 14,
        "published_days_ago": 10,
        "required": ["Blog writing"],
        "nice": ["Fact-checking", "Search engine optimization (SEO)"],
        "summary": "Write four plain-language articles about managing high blood pressure.",
        "context": "Our nurses answer the same five questions at every screening.",
        "deliverables": ["Four articles of 800–1,000 words", "Sources for every claim"],
    },
    {
        "org": "civic-health-alliance",
        "supervisor": "grace.liu@civichealth.example.org",
        "title": "Budget tracker for the mobile clinic program",
        "category": "finance",
        "work_mode": "hybrid",
        "location": "Columbus, OH",
        "hours": 15,
        "fee": 360,
        "status": "open",
        "deadline_days": 11,
        "duration_days": 14,
        "published_days_ago": 4,
        "required": ["Budgeting", "Microsoft Excel"],
        "nice": ["Financial reporting"],
        "summary": "Build a monthly budget-versus-actual tracker for our mobile clinic van.",
        "context": "The program is grant-funded and the funder wants monthly reports.",
        "deliverables": ["A budget tracker workbook", "A monthly report template"],
    },
    {
        "org": "civic-health-alliance",
        "supervisor": "marcus.bell@civichealth.example.org",
        "title": "Literature review on community health workers",
        "category": "research",
        "work_mode": "remote",
        "hours": 25,
        "fee": 600,
        "status": "closed",
        "deadline_days": 6,
        "duration_days": 21,
        "published_days_ago": 18,
        "required": ["Literature review", "Academic research"],
        "nice": ["Report writing"],
        "summary": "Summarize the evidence on community health worker programs since 2015.",
        "context": "Our board is considering hiring our first four community health workers.",
        "deliverables": ["A 10-page literature review", "An annotated bibliography"],
    },
    {
        "org": "civic-health-alliance",
        "supervisor": "grace.liu@civichealth.example.org",
        "title": "Press kit for our annual health fair",
        "category": "marketing",
        "work_mode": "remote",
        "hours": 10,
        "fee": 250,
        "status": "completed",
        "deadline_days": 3,
        "duration_days": 10,
        "published_days_ago": 40,
        "required": ["Press releases", "Public relations"],
        "nice": ["Photography"],
        "summary": "Prepare the press release, fact sheet and media list for the health fair.",
        "context": "Last year's fair drew 2,000 people and no press at all.",
        "deliverables": ["A press release", "A fact sheet", "A list of 30 local media contacts"],
    },
    # --- More open projects (spread across categories) ---------------------------
    {
        "org": "brightline-analytics",
        "supervisor": "maya.chen@brightline-analytics.example.com",
        "title": "Recruiting pipeline report for a staffing client",
        "category": "people",
        "work_mode": "remote",
        "hours": 14,
        "fee": 330,
        "status": "open",
        "deadline_days": 13,
        "duration_days": 14,
        "published_days_ago": 11,
        "required": ["People analytics", "Microsoft Excel"],
        "nice": ["Recruiting"],
        "summary": "Report time-to-hire and drop-off by stage for a staffing agency client.",
        "context": "The client loses half its candidates between interview and offer.",
        "deliverables": ["A funnel report by stage and role", "Three recommendations"],
    },
    {
        "org": "greenway-mobility",
        "supervisor": "carlos.rivera@greenway-mobility.example.com",
        "title": "Partnership outreach to ten university campuses",
        "category": "sales",
        "work_mode": "remote",
        "hours": 20,
        "fee": 480,
        "status": "open",
        "deadline_days": 19,
        "duration_days": 21,
        "published_days_ago": 1,
        "required": ["Partnership development", "Cold outreach"],
        "nice": ["Salesforce", "Sales presentations"],
        "summary": (
            "Research ten campuses that fit our program, find the right contact and book "
            "intro calls."
        ),
        "context": "Campus programs renew at 90%; we want more of them.",
        "deliverables": ["A target list with contacts", "Outreach emails", "Booked calls"],
    },
    {
        "org": "harbor-and-pine-coffee",
        "supervisor": "sam.okafor@harborandpine.example.com",
        "title": "Product requirements for a mobile order-ahead feature",
        "category": "product",
        "work_mode": "remote",
        "hours": 16,
        "fee": 420,
        "status": "open",
        "deadline_days": 15,
        "duration_days": 21,
        "published_days_ago": 6,
        "required": ["Product requirements", "User stories"],
        "nice": ["Customer discovery"],
        "summary": "Write the product requirements and user stories for ordering ahead.",
        "context": "Morning lines are out the door; regulars want to skip them.",
        "deliverables": ["A product requirements document", "A prioritized story list"],
    },
    {
        "org": "civic-health-alliance",
        "supervisor": "marcus.bell@civichealth.example.org",
        "title": "Usability test of our appointment booking page",
        "category": "design",
        "work_mode": "remote",
        "hours": 12,
        "fee": 300,
        "status": "open",
        "deadline_days": 8,
        "duration_days": 14,
        "published_days_ago": 7,
        "required": ["Usability testing"],
        "nice": ["UX research", "Wireframing and prototyping"],
        "summary": "Run five usability sessions on our booking page and report what breaks.",
        "context": "A third of booking attempts end before a slot is chosen.",
        "deliverables": ["Session notes and recordings", "Prioritized fixes with mock-ups"],
    },
    {
        "org": "brightline-analytics",
        "supervisor": "jordan.ellis@brightline-analytics.example.com",
        "title": "Web scraper for public grant listings",
        "category": "software",
        "work_mode": "remote",
        "hours": 18,
        "fee": 460,
        "status": "open",
        "deadline_days": 10,
        "duration_days": 14,
        "published_days_ago": 5,
        "required": ["Web scraping", "Python"],
        "nice": ["Data cleaning"],
        "summary": "Collect open grant listings from six foundation sites into one table.",
        "context": "Our nonprofit clients check six websites every week by hand.",
        "deliverables": ["A documented scraper", "A weekly CSV of open grants"],
    },
    {
        "org": "civic-health-alliance",
        "supervisor": "grace.liu@civichealth.example.org",
        "title": "Donor newsletter for the winter appeal",
        "category": "writing",
        "work_mode": "remote",
        "hours": 8,
        "fee": 200,
        "status": "open",
        "deadline_days": 6,
        "duration_days": 10,
        "published_days_ago": 8,
        "required": ["Newsletter writing"],
        "nice": ["Email marketing", "Canva"],
        "summary": "Write and lay out the winter appeal newsletter sent to 5,000 donors.",
        "context": "The winter appeal funds a third of the free clinic's year.",
        "deliverables": ["Newsletter copy with two patient stories", "A laid-out PDF and email"],
    },
    # --- Juniper Studio (not verified yet: its projects wait for staff review) -------
    {
        "org": "juniper-studio",
        "supervisor": "ines.duarte@juniper-studio.example.com",
        "title": "Logo and visual identity for a summer food festival",
        "category": "design",
        "work_mode": "remote",
        "hours": 20,
        "fee": 500,
        "status": "pending_review",
        "deadline_days": 14,
        "duration_days": 21,
        "required": ["Logo design", "Graphic design"],
        "nice": ["Adobe Illustrator"],
        "summary": "Design the logo, colors and poster template of a city food festival.",
        "context": "The festival's tenth edition deserves a real identity.",
        "deliverables": ["A logo in all formats", "A color and type sheet", "A poster template"],
    },
    {
        "org": "juniper-studio",
        "supervisor": "theo.park@juniper-studio.example.com",
        "title": "WordPress site refresh for a family bakery",
        "category": "software",
        "work_mode": "hybrid",
        "location": "Minneapolis, MN",
        "hours": 24,
        "fee": 600,
        "status": "pending_review",
        "deadline_days": 18,
        "duration_days": 28,
        "required": ["WordPress", "HTML and CSS"],
        "nice": ["UI design"],
        "summary": "Refresh a bakery's WordPress site: new theme, menu pages, online orders.",
        "context": "The bakery's site still shows its 2019 menu.",
        "deliverables": ["A refreshed WordPress site", "A short editing guide for the owners"],
    },
    {
        "org": "juniper-studio",
        "supervisor": "ines.duarte@juniper-studio.example.com",
        "title": "Motion graphics for a bookstore's social channels",
        "category": "design",
        "work_mode": "remote",
        "hours": 15,
        "fee": 380,
        "status": "draft",
        "deadline_days": 21,
        "duration_days": 14,
        "required": ["Motion graphics"],
        "nice": ["Video editing"],
        "summary": "Animate six short clips announcing a bookstore's author events.",
        "context": "Still images get a tenth of the reach of short clips on their channels.",
        "deliverables": ["Six animated clips", "Editable source files"],
    },
]

# --- Placement history: finished projects of the last two academic years -------
# Posted, staffed, completed and followed by offers through the services like the rest,
# then dated back to when they happened (PLACEMENT_HISTORY).
CHURN = "Churn analysis for a meal-kit subscription"
GIFT_GUIDE = "Holiday gift-guide campaign for our online shop"
COMMUTER_SURVEY = "Commuter survey for a campus bike-share launch"
GRANT_BUDGETS = "Reconcile grant budgets across our clinic network"
CAFE_INVENTORY = "Inventory dashboard for a café chain"
STATION_DEMAND = "Station demand forecast for the downtown fleet"
VOLUNTEER_DRIVE = "Volunteer recruitment campaign for the fall drives"
WHOLESALE_PIPELINE = "Clean up our wholesale sales pipeline"

PLACEMENT_PROJECTS: list[dict] = [
    {
        "org": "brightline-analytics",
        "supervisor": "jordan.ellis@brightline-analytics.example.com",
        "title": CHURN,
        "slots": 3,
        "category": "data",
        "work_mode": "remote",
        "hours": 20,
        "fee": 520,
        "status": "completed",
        "deadline_days": 8,
        "duration_days": 21,
        "required": ["Data analysis", "SQL"],
        "nice": ["Tableau"],
        "summary": "Find out which meal-kit subscribers cancel, when, and what keeps the rest.",
        "context": "A client's subscriber base grew fast last year and now leaks 9% a month.",
        "deliverables": ["A churn report by cohort and plan", "Three retention experiments"],
    },
    {
        "org": "harbor-and-pine-coffee",
        "supervisor": "lena.fischer@harborandpine.example.com",
        "title": GIFT_GUIDE,
        "slots": 2,
        "category": "marketing",
        "work_mode": "remote",
        "hours": 16,
        "fee": 400,
        "status": "completed",
        "deadline_days": 8,
        "duration_days": 21,
        "required": ["Social media marketing", "Copywriting"],
        "nice": ["Canva"],
        "summary": "Plan and write the holiday gift guide, its posts and two emails.",
        "context": "December brings a third of our online sales.",
        "deliverables": ["A gift guide page", "Twelve social posts", "Two campaign emails"],
    },
    {
        "org": "greenway-mobility",
        "supervisor": "hannah.brooks@greenway-mobility.example.com",
        "title": COMMUTER_SURVEY,
        "slots": 2,
        "category": "research",
        "work_mode": "remote",
        "hours": 18,
        "fee": 430,
        "status": "completed",
        "deadline_days": 8,
        "duration_days": 21,
        "required": ["Survey analysis"],
        "nice": ["Report writing"],
        "summary": "Survey 1,000 commuters before a campus launch and report where to put docks.",
        "context": "The campus opens its bike-share in spring and has room for twelve stations.",
        "deliverables": ["A survey and its results", "A station placement memo"],
    },
    {
        "org": "civic-health-alliance",
        "supervisor": "grace.liu@civichealth.example.org",
        "title": GRANT_BUDGETS,
        "slots": 2,
        "category": "finance",
        "work_mode": "remote",
        "hours": 20,
        "fee": 480,
        "status": "completed",
        "deadline_days": 8,
        "duration_days": 21,
        "required": ["Budgeting", "Microsoft Excel"],
        "nice": ["Financial reporting"],
        "summary": "Reconcile six grant budgets against what our three clinics actually spent.",
        "context": "Two funders asked for spending reports before renewing their grants.",
        "deliverables": ["A reconciled budget workbook", "A variance summary per grant"],
    },
    {
        "org": "brightline-analytics",
        "supervisor": "priya.raman@brightline-analytics.example.com",
        "title": CAFE_INVENTORY,
        "slots": 3,
        "category": "data",
        "work_mode": "remote",
        "hours": 22,
        "fee": 560,
        "status": "completed",
        "deadline_days": 8,
        "duration_days": 21,
        "required": ["Dashboard design", "SQL"],
        "nice": ["Power BI"],
        "summary": "Build a dashboard of stock, waste and reorders for a chain of eight cafés.",
        "context": "The client throws away 6% of its milk and runs out of oat milk weekly.",
        "deliverables": ["An inventory dashboard", "A reorder-point table per café"],
    },
    {
        "org": "greenway-mobility",
        "supervisor": "carlos.rivera@greenway-mobility.example.com",
        "title": STATION_DEMAND,
        "slots": 3,
        "category": "operations",
        "work_mode": "remote",
        "hours": 20,
        "fee": 500,
        "status": "completed",
        "deadline_days": 8,
        "duration_days": 21,
        "required": ["Data analysis"],
        "nice": ["Forecasting", "Python"],
        "summary": "Forecast hourly demand at our 40 downtown stations for the rebalancing vans.",
        "context": "Vans chase empty stations instead of getting there before they empty.",
        "deliverables": ["An hourly demand forecast per station", "A van schedule proposal"],
    },
    {
        "org": "civic-health-alliance",
        "supervisor": "grace.liu@civichealth.example.org",
        "title": VOLUNTEER_DRIVE,
        "slots": 2,
        "category": "marketing",
        "work_mode": "remote",
        "hours": 14,
        "fee": 340,
        "status": "completed",
        "deadline_days": 8,
        "duration_days": 14,
        "required": ["Social media marketing"],
        "nice": ["Email marketing"],
        "summary": "Recruit 60 volunteers for the fall vaccination drives.",
        "context": "Our drives need twice as many volunteers as last year.",
        "deliverables": ["A recruitment plan", "Posts, flyers and a sign-up email"],
    },
    {
        "org": "harbor-and-pine-coffee",
        "supervisor": "sam.okafor@harborandpine.example.com",
        "title": WHOLESALE_PIPELINE,
        "slots": 2,
        "category": "sales",
        "work_mode": "remote",
        "hours": 15,
        "fee": 360,
        "status": "completed",
        "deadline_days": 8,
        "duration_days": 21,
        "required": ["CRM management"],
        "nice": ["Lead research"],
        "summary": "Clean 400 wholesale leads in our CRM and mark the ones worth a call.",
        "context": "Our wholesale CRM is full of closed cafés and duplicate contacts.",
        "deliverables": ["A cleaned CRM export", "A ranked call list"],
    },
]
PROJECTS += PLACEMENT_PROJECTS

#: When each placement project happened: (academic year: -1 the previous one, 0 the
#: current one; days after July 1 it was published). A story that would end in the
#: future (a young academic year) is squeezed towards the start of its year.
PLACEMENT_HISTORY: dict[str, tuple[int, int]] = {
    CHURN: (-1, 130),
    GIFT_GUIDE: (-1, 110),
    COMMUTER_SURVEY: (-1, 150),
    GRANT_BUDGETS: (-1, 200),
    CAFE_INVENTORY: (0, 20),
    STATION_DEMAND: (0, 35),
    WHOLESALE_PIPELINE: (0, 80),
    VOLUNTEER_DRIVE: (0, 100),
}

# ------------------------------------------------------------------------------
# After posting: applications, engagements, feedback, offers, outcomes
# ------------------------------------------------------------------------------
# Students are named "First Last" (see STUDENTS); projects by title (see PROJECTS).
# The first student, Ava Martinez, is the printed demo login: her list shows every kind
# of application, an engagement in progress, one submitted for review and a completed
# one with released feedback, endorsements, approved résumé bullets, a share link and
# an offer waiting for her answer.
SEGMENTATION = "Customer segmentation for an outdoor gear shop"
WELCOME_SERIES = "Email welcome series for new subscribers"
BATTERY_COSTS = "Cost model for battery swaps"
PRESS_KIT = "Press kit for our annual health fair"
TEARDOWN = "Competitive teardown of three bike-share apps"
LITERATURE = "Literature review on community health workers"
LIBRARY_SURVEY = "Survey analysis for a neighborhood library system"
POWER_BI = "Build a weekly sales dashboard in Power BI"
PRICE_BENCHMARK = "Price benchmark of specialty coffee across 30 cafés"

# (student, project title, the status it should end in, the employer's message).
# Applications are submitted in this order while their project is open; "accepted"
# ones are accepted last, in order, so taking a project's last place closes it and
# answers everyone still waiting ("expired": closed without a decision).
APPLICATIONS: list[tuple[str, str, str, str]] = [
    # Completed projects: every place taken, the work approved.
    ("Ava Martinez", SEGMENTATION, "accepted", ""),
    ("Noah Kim", SEGMENTATION, "accepted", ""),
    (
        "Henry Wright",
        SEGMENTATION,
        "rejected",
        "Thank you, Henry. We picked two applicants who have segmented retail data in "
        "Tableau before. Your pricing work stood out: please apply to our next project.",
    ),
    ("Elijah Walker", SEGMENTATION, "expired", ""),
    ("Sofia Rossi", WELCOME_SERIES, "accepted", ""),
    (
        "Harper Lewis",
        WELCOME_SERIES,
        "rejected",
        "We loved your video work, but this project is all about email copy. Keep an eye "
        "on our fall launch: it will need short videos.",
    ),
    ("Amelia Hall", WELCOME_SERIES, "withdrawn", ""),
    ("Mateo Garcia", BATTERY_COSTS, "accepted", ""),
    ("Benjamin Clark", BATTERY_COSTS, "accepted", ""),
    ("Ava Martinez", BATTERY_COSTS, "expired", ""),
    ("Harper Lewis", PRESS_KIT, "accepted", ""),
    ("Isabella Lopez", PRESS_KIT, "expired", ""),
    # Closed projects: the work is under way.
    ("Mia Thompson", TEARDOWN, "accepted", ""),
    ("Alexander Green", TEARDOWN, "expired", ""),
    ("Chloe Williams", LITERATURE, "accepted", ""),
    (
        "Abigail Scott",
        LITERATURE,
        "rejected",
        "Thank you, Abigail. We needed someone with experience reviewing academic "
        "literature; your screening-event work would fit our volunteer handbook project.",
    ),
    # A closed project still choosing among its applicants.
    ("Mia Thompson", LIBRARY_SURVEY, "shortlisted", ""),
    ("Henry Wright", LIBRARY_SURVEY, "submitted", ""),
    ("Elijah Walker", LIBRARY_SURVEY, "submitted", ""),
    # Open projects with two places: one taken, still taking applications.
    ("Ava Martinez", POWER_BI, "accepted", ""),
    ("Liam Nguyen", POWER_BI, "shortlisted", ""),
    ("Noah Kim", POWER_BI, "submitted", ""),
    ("Ava Martinez", PRICE_BENCHMARK, "accepted", ""),
    ("Henry Wright", PRICE_BENCHMARK, "submitted", ""),
    # Open projects, applicants waiting for an answer.
    (
        "Ava Martinez",
        "Forecast holiday demand for a grocery cooperative",
        "rejected",
        "Thanks, Ava. We went with someone who has built demand forecasts in R before. "
        "Your cover note was one of the best we read: we would love to see you apply to "
        "our next data project.",
    ),
    ("Noah Kim", "Forecast holiday demand for a grocery cooperative", "shortlisted", ""),
    ("Ava Martinez", "Recruiting pipeline report for a staffing client", "submitted", ""),
    ("Evelyn King", "Recruiting pipeline report for a staffing client", "submitted", ""),
    ("Ava Martinez", "Map vaccination-drive turnout by neighborhood", "shortlisted", ""),
    ("Chloe Williams", "Map vaccination-drive turnout by neighborhood", "submitted", ""),
    ("Ava Martinez", "Budget tracker for the mobile clinic program", "withdrawn", ""),
    ("Mateo Garcia", "Budget tracker for the mobile clinic program", "submitted", ""),
    ("Abigail Scott", "Translate clinic intake forms into Spanish", "submitted", ""),
    ("Liam Nguyen", "Automated tests for our fleet-status API", "submitted", ""),
    ("James Young", "Automated tests for our fleet-status API", "submitted", ""),
    ("James Young", "React component library cleanup", "shortlisted", ""),
]

#: Why each application was sent: one cover note per project category.
COVER_NOTES: dict[str, str] = {
    "data": "I enjoy turning raw tables into a few clear numbers people act on.",
    "finance": "I build spreadsheet models for two nonprofits and like checking my math twice.",
    "marketing": "I write campaigns that people actually open, and I measure what they do.",
    "research": "I like reading widely and writing it down so others do not have to.",
    "software": "I write tested, documented code and ask questions early.",
    "writing": "I write plainly and keep to word counts and deadlines.",
    "product": "I like talking to users before anyone writes a line of code.",
    "design": "I sketch a lot before I open Figma, and I test with real people.",
    "people": "I care about hiring that is fair and easy to follow for candidates.",
    "operations": "I like mapping messy processes and making them boring and reliable.",
    "sales": "I enjoy research and writing outreach that does not sound like a template.",
}

# Engagements, keyed by (student, project title): the status each should end in and
# what happened along the way. messages: (author "student"/"supervisor", text);
# hours: (days ago, hours, description); ticked: deliverables ticked off.
# feedback: which side gave it — "both" (released at once), "supervisor" or "intern"
# (still blind), "window" (supervisor only, released when the 14-day window closed).
ENGAGEMENTS: dict[tuple[str, str], dict] = {
    ("Ava Martinez", SEGMENTATION): {
        "status": "completed",
        "messages": [
            ("supervisor", "Welcome aboard! The sales export is in the shared folder."),
            ("student", "Thanks! I found 1,200 duplicate customers; merge them first?"),
            ("supervisor", "Yes please, merge on email and keep the newest address."),
            ("student", "Done. Four segments come out clearly; draft deck on Friday."),
        ],
        "hours": [(9, 3, "Cleaned and merged the customer export"), (6, 4, "Clustering")],
        "ticked": 2,
        "link": "https://docs.example.com/brightline/segmentation-deck",
        "feedback": "both",
        "supervisor_feedback": {
            "overall": 5,
            "ratings": {
                "communication": 5,
                "critical_thinking": 5,
                "professionalism": 4,
                "technology": 4,
            },
            "written": "Ava found the duplicate customers nobody had noticed and explained "
            "the four segments so clearly that the client adopted them the same week.",
            "outcomes": [
                "Merged 1,200 duplicate customer records",
                "Defined 4 customer segments covering 92% of revenue",
            ],
            "skills": ["Data analysis", "Tableau", "SQL"],
            "would_hire": True,
            "recommendation": "I would hire Ava for any analyst role on my team.",
        },
        "intern_feedback": (5, 5, 4, True, "Clear brief and fast answers from Priya."),
        "reply": "Thank you, Priya! I learned a lot about clustering real customers.",
        "paid": True,
        "record": True,
    },
    ("Noah Kim", SEGMENTATION): {
        "status": "completed",
        "hours": [(8, 5, "Built the RFM features"), (5, 3, "Validated the segments")],
        "ticked": 2,
        "link": "https://docs.example.com/brightline/segmentation-model",
        "feedback": "supervisor",
        "supervisor_feedback": {
            "overall": 4,
            "ratings": {"critical_thinking": 5, "technology": 5, "communication": 3},
            "written": "Solid modeling work; the write-up could have been shorter.",
            "outcomes": ["Built a reproducible segmentation model in R"],
            "skills": ["R", "Statistics"],
            "would_hire": True,
        },
    },
    ("Sofia Rossi", WELCOME_SERIES): {
        "status": "completed",
        "messages": [
            ("student", "Here is a first outline of the five emails."),
            ("supervisor", "Love it. Can email three mention the grinder guide?"),
        ],
        "hours": [(12, 4, "Wrote emails one to three"), (10, 3, "Wrote emails four and five")],
        "ticked": 2,
        "link": "https://docs.example.com/harbor/welcome-series",
        "feedback": "both",
        "supervisor_feedback": {
            "overall": 5,
            "ratings": {"communication": 5, "professionalism": 5, "teamwork": 4},
            "written": "Sofia's series lifted first-month retention in the pilot group.",
            "outcomes": ["Raised first-month subscriber retention by 9% in the pilot"],
            "skills": ["Email marketing", "Copywriting"],
            "would_hire": True,
            "recommendation": "Sofia writes like our best baristas talk.",
        },
        "intern_feedback": (4, 5, 5, True, "Lena was a great mentor."),
        "paid": True,
    },
    ("Mateo Garcia", BATTERY_COSTS): {
        "status": "completed",
        "hours": [(20, 6, "Collected swap-van costs"), (18, 5, "Built the cost model")],
        "ticked": 1,
        "link": "https://docs.example.com/greenway/battery-cost-model",
        "feedback": "window",
        "supervisor_feedback": {
            "overall": 4,
            "ratings": {"critical_thinking": 4, "technology": 4, "professionalism": 5},
            "written": "A careful model; the depot scenario saved us a second van.",
            "outcomes": ["Showed depot swaps save $38,000 a year over field swaps"],
            "skills": ["Financial modeling", "Microsoft Excel"],
            "would_hire": True,
        },
    },
    ("Benjamin Clark", BATTERY_COSTS): {
        "status": "cancelled",
        "cancel": ("student", "My exam schedule changed and I cannot give this the time."),
    },
    ("Harper Lewis", PRESS_KIT): {
        "status": "completed",
        "hours": [(4, 3, "Wrote the press release"), (3, 2, "Built the media list")],
        "ticked": 3,
        "link": "https://docs.example.com/civic/press-kit",
        "feedback": "intern",
        "intern_feedback": (5, 4, 4, True, "A meaningful project with a clear brief."),
    },
    ("Mia Thompson", TEARDOWN): {
        "status": "submitted",
        "messages": [
            ("student", "I recorded the unlock flow of all three apps."),
            ("supervisor", "Great, note the number of taps for each."),
        ],
        "hours": [(3, 4, "Recorded and annotated the flows")],
        "ticked": 1,
        "link": "https://docs.example.com/greenway/teardown",
    },
    ("Chloe Williams", LITERATURE): {
        "status": "revision_requested",
        "hours": [(6, 5, "Searched and screened 80 studies"), (2, 4, "Wrote the review")],
        "ticked": 1,
        "link": "https://docs.example.com/civic/chw-review",
        "revision": "Please add the 2021 Cochrane review and shorten the summary to a page.",
    },
    ("Ava Martinez", POWER_BI): {
        "status": "active",
        "messages": [
            ("supervisor", "Hi Ava, the sample data and the brand colors are in the folder."),
            ("student", "Thanks! Should the dashboard refresh daily or weekly?"),
            ("supervisor", "Weekly, on Monday mornings, is what the client asked for."),
            ("student", "Got it. First draft of the sales page is up for a look."),
        ],
        "hours": [(2, 2.5, "Modeled the sales tables"), (1, 3, "Built the first dashboard page")],
        "ticked": 1,
    },
    ("Ava Martinez", PRICE_BENCHMARK): {
        "status": "submitted",
        "messages": [("student", "All 30 cafés are in; the spreadsheet is linked.")],
        "hours": [(3, 3, "Collected prices from 30 cafés")],
        "ticked": 2,
        "link": "https://docs.example.com/harbor/price-benchmark",
    },
}

# Offers after the work, one per final state. "engagement" names the project whose
# completed engagement the offer cites (a conversion).
OFFERS: list[dict] = [
    {
        "org": "brightline-analytics",
        "student": "Ava Martinez",
        "engagement": SEGMENTATION,
        "title": "Junior Data Analyst",
        "type": "full_time",
        "pay": 62_000,
        "period": "annual",
        "location": "Chicago, IL",
        "status": "extended",
        "message": "The client still talks about your segments. Join us after graduation?",
    },
    {
        "org": "harbor-and-pine-coffee",
        "student": "Sofia Rossi",
        "engagement": WELCOME_SERIES,
        "title": "Marketing Coordinator",
        "type": "full_time",
        "pay": 52_000,
        "period": "annual",
        "location": "Seattle, WA",
        "status": "accepted",
        "message": "We would love you to run our lifecycle emails full time.",
    },
    {
        "org": "greenway-mobility",
        "student": "Mateo Garcia",
        "engagement": BATTERY_COSTS,
        "title": "Financial Analyst",
        "type": "full_time",
        "pay": 65_000,
        "period": "annual",
        "location": "",
        "status": "declined",
        "reason": "I accepted a place in a master's program this fall. Thank you!",
        "message": "Your model changed our fleet plan. Come build the next one with us.",
    },
    {
        "org": "brightline-analytics",
        "student": "Noah Kim",
        "engagement": SEGMENTATION,
        "title": "Data Analyst Intern (summer)",
        "type": "internship",
        "pay": 28,
        "period": "hourly",
        "location": "Chicago, IL",
        "status": "rescinded",
        "reason": "The client contract that funded this role was cancelled. We are sorry, "
        "and we will contact you first when it reopens.",
        "message": "A summer with our modeling team.",
    },
    {
        "org": "civic-health-alliance",
        "student": "Harper Lewis",
        "engagement": PRESS_KIT,
        "title": "Communications Associate",
        "type": "part_time",
        "pay": 24,
        "period": "hourly",
        "location": "Columbus, OH",
        "status": "expired",
        "message": "Help us tell our clinics' stories, 20 hours a week.",
    },
]

# Destinations students reported themselves: (student, kind, employer, job title, program).
OUTCOMES: list[tuple[str, str, str, str, str]] = [
    ("Benjamin Clark", "employed_elsewhere", "Lakeshore Credit Union", "Staff Accountant", ""),
    ("Chloe Williams", "graduate_school", "", "", "PhD in Epidemiology, Northfield State"),
    ("Evelyn King", "still_looking", "", "", ""),
    ("Alexander Green", "employed_elsewhere", "Pixel & Grain Design", "Junior UX Designer", ""),
    ("Mateo Garcia", "graduate_school", "", "", "Master of Finance, Lakeshore College"),
]

# ------------------------------------------------------------------------------
# The placement cohort's history (projects in PLACEMENT_PROJECTS)
# ------------------------------------------------------------------------------
APPLICATIONS += [
    # Last academic year.
    ("Aiden Patel", CHURN, "accepted", ""),
    ("Priya Desai", CHURN, "accepted", ""),
    ("Marcus Flynn", CHURN, "accepted", ""),
    (
        "Hannah Weiss",
        CHURN,
        "rejected",
        "Thank you, Hannah. We chose applicants with more SQL; your Tableau work was "
        "lovely, so please apply again.",
    ),
    ("Ryan Okoro", CHURN, "expired", ""),
    ("Nadia Rahman", GIFT_GUIDE, "rejected", "We picked two applicants with campaign work."),
    ("Naomi Castillo", GIFT_GUIDE, "withdrawn", ""),
    ("Olivia Grant", GIFT_GUIDE, "accepted", ""),
    ("Diego Ramirez", GIFT_GUIDE, "accepted", ""),
    ("Elena Petrova", COMMUTER_SURVEY, "expired", ""),
    ("Maya Goldberg", COMMUTER_SURVEY, "accepted", ""),
    ("Tariq Hassan", COMMUTER_SURVEY, "accepted", ""),
    ("Megan O'Neill", GRANT_BUDGETS, "rejected", "We needed someone with grant accounting."),
    ("Nadia Rahman", GRANT_BUDGETS, "withdrawn", ""),
    ("Jasmine Reed", GRANT_BUDGETS, "accepted", ""),
    ("Derek Simmons", GRANT_BUDGETS, "accepted", ""),
    # This academic year.
    ("Leah Morales", CAFE_INVENTORY, "rejected", "We went with applicants who know SQL well."),
    ("Tyler Jensen", CAFE_INVENTORY, "expired", ""),
    ("Ryan Okoro", CAFE_INVENTORY, "accepted", ""),
    ("Hannah Weiss", CAFE_INVENTORY, "accepted", ""),
    ("Nadia Rahman", CAFE_INVENTORY, "accepted", ""),
    ("Sara Lindqvist", STATION_DEMAND, "rejected", "We needed forecasting experience."),
    ("Derek Simmons", STATION_DEMAND, "expired", ""),
    ("Elena Petrova", STATION_DEMAND, "accepted", ""),
    ("Kevin Tran", STATION_DEMAND, "accepted", ""),
    ("Jonah Brandt", STATION_DEMAND, "accepted", ""),
    ("Fiona Walsh", WHOLESALE_PIPELINE, "rejected", "We chose applicants with sales experience."),
    ("Caleb Hughes", WHOLESALE_PIPELINE, "expired", ""),
    ("Megan O'Neill", WHOLESALE_PIPELINE, "accepted", ""),
    ("Luis Herrera", WHOLESALE_PIPELINE, "accepted", ""),
    ("Caleb Hughes", VOLUNTEER_DRIVE, "rejected", "Thank you: we picked two event marketers."),
    ("Ruby Sanders", VOLUNTEER_DRIVE, "withdrawn", ""),
    ("Naomi Castillo", VOLUNTEER_DRIVE, "accepted", ""),
    ("Ben Whitaker", VOLUNTEER_DRIVE, "accepted", ""),
]

# (student, project, overall rating, NACE ratings, written feedback, skills endorsed)
_PLACEMENT_WORK: list[tuple[str, str, int, dict[str, int], str, list[str]]] = [
    (
        "Aiden Patel",
        CHURN,
        5,
        {"critical_thinking": 5, "technology": 5, "communication": 4},
        "Aiden's cohort tables showed the client exactly when subscribers leave.",
        ["SQL", "Data analysis"],
    ),
    (
        "Priya Desai",
        CHURN,
        5,
        {"critical_thinking": 5, "communication": 5, "professionalism": 5},
        "Priya's retention experiments are the ones the client is running now.",
        ["Data analysis", "Statistics"],
    ),
    (
        "Marcus Flynn",
        CHURN,
        3,
        {"technology": 4, "communication": 3, "professionalism": 3},
        "Correct numbers; the report needed two rounds of edits to be readable.",
        ["SQL"],
    ),
    (
        "Olivia Grant",
        GIFT_GUIDE,
        5,
        {"communication": 5, "teamwork": 5, "career_development": 4},
        "Olivia's guide sold out two of our gift sets in a week.",
        ["Copywriting", "Social media marketing"],
    ),
    (
        "Diego Ramirez",
        GIFT_GUIDE,
        4,
        {"communication": 4, "technology": 4, "teamwork": 4},
        "Diego's short videos were the most shared posts of the season.",
        ["Social media marketing"],
    ),
    (
        "Maya Goldberg",
        COMMUTER_SURVEY,
        5,
        {"critical_thinking": 5, "technology": 4, "equity_inclusion": 4},
        "Maya's survey reached commuters we had never heard from, night shifts included.",
        ["Survey analysis", "Python"],
    ),
    (
        "Tariq Hassan",
        COMMUTER_SURVEY,
        4,
        {"communication": 4, "professionalism": 4, "teamwork": 4},
        "Tariq ran the campus intercepts reliably and wrote a clear memo.",
        ["Report writing"],
    ),
    (
        "Jasmine Reed",
        GRANT_BUDGETS,
        5,
        {"professionalism": 5, "critical_thinking": 5, "communication": 4},
        "Jasmine found $14,000 charged to the wrong grant and fixed our template.",
        ["Budgeting", "Financial reporting"],
    ),
    (
        "Ryan Okoro",
        CAFE_INVENTORY,
        5,
        {"technology": 5, "critical_thinking": 4, "leadership": 4},
        "Ryan's reorder points cut the client's milk waste in half in a month.",
        ["SQL", "Power BI"],
    ),
    (
        "Hannah Weiss",
        CAFE_INVENTORY,
        4,
        {"technology": 4, "communication": 5, "teamwork": 4},
        "Hannah's dashboard is the first one the café managers open each morning.",
        ["Tableau", "SQL"],
    ),
    (
        "Nadia Rahman",
        CAFE_INVENTORY,
        5,
        {"critical_thinking": 5, "communication": 4, "professionalism": 5},
        "Nadia priced the waste and made the case for the client's new supplier.",
        ["Pricing analysis", "Microsoft Excel"],
    ),
    (
        "Elena Petrova",
        STATION_DEMAND,
        5,
        {"critical_thinking": 5, "technology": 4, "communication": 4},
        "Elena's forecast beat our old rule of thumb at 35 of 40 stations.",
        ["Forecasting", "Data analysis"],
    ),
    (
        "Kevin Tran",
        STATION_DEMAND,
        4,
        {"technology": 4, "teamwork": 4, "career_development": 4},
        "Kevin automated the data pull so the forecast refreshes every night.",
        ["Python"],
    ),
    (
        "Jonah Brandt",
        STATION_DEMAND,
        3,
        {"technology": 3, "communication": 3, "professionalism": 4},
        "Jonah finished his part on time; the van schedule needed more checking.",
        ["Data analysis"],
    ),
    (
        "Megan O'Neill",
        WHOLESALE_PIPELINE,
        4,
        {"professionalism": 4, "communication": 4, "critical_thinking": 3},
        "Megan removed 130 dead leads and found 25 cafés worth calling this month.",
        ["CRM management", "Lead research"],
    ),
    (
        "Naomi Castillo",
        VOLUNTEER_DRIVE,
        5,
        {"communication": 5, "leadership": 5, "equity_inclusion": 5},
        "Naomi signed up 74 volunteers, a third of them Spanish speakers.",
        ["Email marketing", "Social media marketing"],
    ),
    (
        "Ben Whitaker",
        VOLUNTEER_DRIVE,
        4,
        {"communication": 4, "teamwork": 5, "leadership": 4},
        "Ben's campus tabling brought in more volunteers than any channel.",
        ["Event marketing"],
    ),
]
ENGAGEMENTS.update(
    {
        (name, title): {
            "status": "completed",
            "link": "https://docs.example.com/placement/" + title.lower().replace(" ", "-"),
            "feedback": "both",
            "supervisor_feedback": {
                "overall": overall,
                "ratings": ratings,
                "written": written,
                "outcomes": [],
                "skills": skills,
                "would_hire": overall >= 4,
            },
            "intern_feedback": (5, 4, 4, True, "Clear brief and a supervisor who answered fast."),
            "paid": True,
        }
        for name, title, overall, ratings, written, skills in _PLACEMENT_WORK
    }
)
ENGAGEMENTS[("Derek Simmons", GRANT_BUDGETS)] = {
    "status": "cancelled",
    "cancel": ("student", "I took a second job and cannot give this the hours it needs."),
}
ENGAGEMENTS[("Luis Herrera", WHOLESALE_PIPELINE)] = {
    "status": "cancelled",
    "cancel": ("supervisor", "Our wholesale team was reorganized; we are sorry, Luis."),
}


def _placement_offer(
    org: str, student: str, project: str, title: str, status: str, **extra
) -> dict:
    full_time = extra.pop("type", "full_time") == "full_time"
    return {
        "org": org,
        "student": student,
        "engagement": project,
        "title": title,
        "type": "full_time" if full_time else "part_time",
        "pay": extra.pop("pay", 58_000) if full_time else extra.pop("pay", 22),
        "period": "annual" if full_time else "hourly",
        "location": extra.pop("location", ""),
        "status": status,
        "message": extra.pop("message", "We would love to keep working with you."),
        **extra,
    }


OFFERS += [
    # Last academic year: five full-time hires, one declined.
    _placement_offer(
        "brightline-analytics", "Aiden Patel", CHURN, "Junior Data Analyst", "accepted"
    ),
    _placement_offer(
        "brightline-analytics", "Priya Desai", CHURN, "Analyst", "accepted", pay=61_000
    ),
    _placement_offer(
        "harbor-and-pine-coffee", "Olivia Grant", GIFT_GUIDE, "Marketing Associate", "accepted"
    ),
    _placement_offer(
        "harbor-and-pine-coffee",
        "Diego Ramirez",
        GIFT_GUIDE,
        "Social Media Coordinator",
        "declined",
        reason="I am starting a master's program in the fall. Thank you!",
    ),
    _placement_offer(
        "greenway-mobility", "Maya Goldberg", COMMUTER_SURVEY, "Data Analyst", "accepted"
    ),
    _placement_offer(
        "civic-health-alliance", "Jasmine Reed", GRANT_BUDGETS, "Finance Associate", "accepted"
    ),
    # This academic year: five full-time hires, a part-time job during school, and a
    # full-time offer accepted and then rescinded (not a hire).
    _placement_offer(
        "brightline-analytics", "Ryan Okoro", CAFE_INVENTORY, "Analytics Engineer", "accepted"
    ),
    _placement_offer(
        "brightline-analytics", "Hannah Weiss", CAFE_INVENTORY, "Data Analyst", "accepted"
    ),
    _placement_offer(
        "brightline-analytics", "Nadia Rahman", CAFE_INVENTORY, "Pricing Analyst", "accepted"
    ),
    _placement_offer(
        "greenway-mobility", "Elena Petrova", STATION_DEMAND, "Operations Analyst", "accepted"
    ),
    _placement_offer(
        "greenway-mobility",
        "Kevin Tran",
        STATION_DEMAND,
        "Fleet Data Assistant",
        "accepted",
        type="part_time",
        message="Keep the forecast running 15 hours a week while you finish school?",
    ),
    _placement_offer(
        "civic-health-alliance",
        "Naomi Castillo",
        VOLUNTEER_DRIVE,
        "Outreach Coordinator",
        "accepted",
    ),
    _placement_offer(
        "civic-health-alliance",
        "Ben Whitaker",
        VOLUNTEER_DRIVE,
        "Volunteer Program Coordinator",
        "rescinded",
        accepted_first=True,
        reason="The grant that funds this position was not renewed. We are very sorry, Ben.",
    ),
]

OUTCOMES += [
    ("Tariq Hassan", "still_looking", "", "", ""),
    ("Derek Simmons", "still_looking", "", "", ""),
    ("Marcus Flynn", "still_looking", "", "", ""),
    ("Diego Ramirez", "graduate_school", "", "", "MS in Marketing Analytics, Northfield State"),
    ("Jonah Brandt", "still_looking", "", "", ""),
    ("Megan O'Neill", "employed_elsewhere", "Northfield Credit Union", "Operations Analyst", ""),
]

#: When those reports were made, in days from the student's commencement (negative:
#: before it). A report more than six months away from graduation does not make an
#: outcome known: Marcus said "still looking" as a sophomore and nothing since.
OUTCOME_DAYS: dict[str, int] = {
    "Tariq Hassan": 45,
    "Derek Simmons": 70,
    "Marcus Flynn": -950,
    "Diego Ramirez": -40,
    "Jonah Brandt": -175,
    "Megan O'Neill": -180,
}
