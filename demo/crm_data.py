"""What the demo company's CRM holds, loaded as data: the demo runs with no CRM at all.

The snapshot goes through the real sync (`crm.services.apply_companies`), so the demo's
organizations are matched by domain and name as HubSpot's companies would be, and get a CRM
id, current ARR, renewal date and account owner. Renewals are days from today, so that some
ideas always say "Gringotts Bank renews in 23 days".
"""

from datetime import date, timedelta
from decimal import Decimal

from crm import services
from crm.providers import CrmCompany

JORDAN = ("Jordan Blake", "jordan@meshvpn.example")
MIA = ("Mia Chen", "mia@meshvpn.example")
SALES = ("Sales Demo", "sales@meshvpn.example")

# (HubSpot company id, name as the CRM spells it, domain, plan, ARR, renews in days, owner)
CRM_COMPANIES = [
    ("18001", "Gringotts Bank", "gringotts.example", "enterprise", 1950000, 23, JORDAN),
    ("18002", "Wayne Fintech", "wayne-fintech.example", "enterprise", 2100000, 41, MIA),
    ("18003", "Oscorp Research", "oscorp.example", "enterprise", 640000, 75, JORDAN),
    ("18004", "Hooli Cloud Inc.", "hooli.example", "enterprise", 910000, 160, SALES),
    ("18005", "Cyberdyne Systems", "cyberdyne.example", "enterprise", 1500000, 300, MIA),
    ("18006", "Acme Robotics", "acme-robotics.example", "enterprise", 520000, 12, SALES),
    ("18007", "globex", "globex.example", "enterprise", 1250000, 200, JORDAN),
    ("18008", "Umbrella Health", "umbrella-health.example", "enterprise", 720000, 88, MIA),
    ("18009", "Stark Logistics", "stark-logistics.example", "business", 150000, 130, SALES),
    ("18010", "Massive Dynamic", "massivedynamic.example", "enterprise", 980000, 250, JORDAN),
    # No ARR in the CRM: the PM's figure stays.
    ("18011", "Vandelay Imports", "vandelay.example", "business", None, 60, MIA),
]


def load_crm(*, today: date) -> services.SyncResult:
    """Apply the snapshot as one sync would; call inside the loader's transaction."""
    result = services.SyncResult(provider="hubspot (demo data)")
    companies = [
        CrmCompany(
            crm_id=crm_id,
            name=name,
            domains=(domain,),
            plan=plan,
            arr=None if arr is None else Decimal(arr),
            renewal_date=today + timedelta(days=days),
            owner_name=owner[0],
            owner_email=owner[1],
        )
        for crm_id, name, domain, plan, arr, days, owner in CRM_COMPANIES
    ]
    services.apply_companies(companies, result=result)
    return result
