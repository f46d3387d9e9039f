"""Build the binary documents (PDF, DOCX, PPTX) of the sample course.

The text lives here so the files can be rebuilt reproducibly:

    .venv/bin/python scripts/build_sample_course.py
"""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from fpdf import FPDF
from pptx import Presentation
from pptx.util import Pt

OUT_DIR = Path(__file__).resolve().parent.parent / "knowledge" / "sample_course"
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)
AUTHOR = "Northbridge Logistics Health and Safety Team"

# A section is (heading, blocks); a block starting with "- " is a bullet, otherwise a paragraph.
Section = tuple[str, list[str]]

FORKLIFT_TITLE = "Forklift and Pedestrian Safety"
FORKLIFT: list[Section] = [
    (
        "Authorisation and licence to operate",
        [
            "Forklift trucks cause more serious accidents at the Northbridge Logistics "
            "distribution centre than anything else. A counterbalance truck weighs around "
            "4 tonnes unladen. "
            "Nobody may operate a forklift, reach truck or powered pallet stacker unless they "
            "hold both:",
            "- A valid operator certificate from an accredited training provider for that "
            "specific type of truck. A counterbalance certificate does not cover reach trucks.",
            "- A written Authorisation to Operate signed by the Transport and Site Safety Manager.",
            "Operators must be at least 18. New drivers, including agency drivers who already "
            "hold a certificate, pass a practical site assessment before they are authorised. "
            "Authorisation is renewed every 3 years with a refresher course, and sooner after "
            "a collision or a break from driving of more than 12 months. Truck keys are kept in "
            "the key cabinet in the Transport Office and signed out by the Shift Manager each "
            "shift. Never lend your key or leave it in an unattended truck.",
        ],
    ),
    (
        "Daily pre-use checks",
        [
            "The operator checks the truck at the start of every shift, before use. The check "
            "takes about 10 minutes and is recorded on the yellow checklist card kept on the "
            "truck. Check:",
            "- Tyres: no cuts, missing chunks or embedded objects.",
            "- Forks: no cracks, bends or heel wear; locking pins in place.",
            "- Mast and chains: no damage, even tension, no hydraulic oil leaks.",
            "- Horn, lights, reversing alarm and blue warning light working.",
            "- Seat belt, service brake, parking brake and steering working.",
            "- Battery indicator, connector and cables undamaged; data plate readable.",
            "If you find a safety defect, do not use the truck. Remove the key, attach a red "
            "DO NOT USE tag to the steering wheel, note the fault on the card and report it to "
            "the Transport Office on extension 2240. Every truck also has a thorough examination "
            "by a competent engineer every 12 months.",
        ],
    ),
    (
        "Site speed limits and driving rules",
        [
            "- Inside the warehouse: maximum 8 km/h (5 mph).",
            "- In the yard and on the perimeter road: maximum 16 km/h (10 mph) for all vehicles.",
            "- Walking pace at loading docks, doorways, pedestrian crossings and aisle ends.",
            "Speed limiters are fitted, but drivers must slow down further for wet floors, "
            "tall loads and busy areas. Other rules:",
            "- Always wear the seat belt.",
            "- Travel with the forks about 150 mm above the floor and the mast tilted back.",
            "- Sound the horn at blind corners, aisle ends and doorways.",
            "- Drive in reverse when a load blocks your forward view.",
            "- No passengers, no mobile phones and no earphones.",
            "- When leaving the truck, lower the forks to the floor, apply the parking brake, "
            "switch off and remove the key.",
        ],
    ),
    (
        "Pedestrian exclusion zones and walkways",
        [
            "Pedestrians must use the walkways marked with green lines and green paint, and "
            "cross traffic routes only at the striped crossing points.",
            "- A 3 metre exclusion zone surrounds every working truck. Do not enter it unless "
            "the driver has stopped, lowered the forks and signalled that it is safe.",
            "- Never walk or stand under raised forks or a raised load.",
            "- Trucks project a blue spot on the floor 3 metres ahead and behind them.",
            "- Before entering a racking aisle, check the aisle light. Red means a truck is "
            "working in the aisle: wait.",
            "- Make eye contact with the driver before crossing in front of a truck.",
            "- The marshalling area in front of Doors 13 to 24 is a truck-only zone marked with "
            "yellow hatching.",
            "HGV drivers wait in the drivers' room by the south gatehouse while their vehicle is "
            "loaded and may not walk on the dock.",
        ],
    ),
    (
        "Loading and unloading",
        [
            "The data plate shows the truck's rated capacity at the standard load centre of "
            "500 mm. A longer load reduces the capacity. Never exceed the data plate figure.",
            "- Do not lift broken or unstable pallets.",
            "- Insert the forks fully, lift just clear, tilt the mast back, then travel.",
            "- Raise and lower loads only when the truck is stationary.",
            "- Only enter a trailer when the dock traffic light shows green, meaning the vehicle "
            "restraint is locked and the dock leveller is in place.",
            "- Under the key-safe system the HGV driver hands the cab keys to the gatehouse before "
            "loading, so the trailer cannot drive away with a truck inside.",
        ],
    ),
    (
        "Charging batteries",
        [
            "Lead-acid batteries give off explosive hydrogen gas while charging and contain "
            "sulphuric acid. Charge only in the ventilated forklift charging bay along the east "
            "wall next to Door 24.",
            "- No smoking, vaping, naked flames or hot work within 5 metres of the bay.",
            "- Park in a marked bay, lower the forks and remove the key before connecting.",
            "- Switch the charger off before connecting or disconnecting, to avoid sparks.",
            "- Charge when the indicator shows 20% remaining; do not run batteries flat.",
            "- Only trained staff top up with deionised water, after charging, wearing a face "
            "shield and chemical-resistant gloves.",
            "- The bay has an eye wash station, an acid spill kit and a dry powder extinguisher. "
            "Report acid spills or swollen batteries to the Transport Office at once.",
        ],
    ),
]

INCIDENT_TITLE = "Incident and Near Miss Reporting"
INCIDENT: list[Section] = [
    (
        "Why we report",
        [
            "Every serious accident is usually preceded by many smaller events that went "
            "unnoticed. By reporting incidents and near misses at Northbridge Logistics we find "
            "hazards and fix them before somebody is hurt. Reporting is part of everyone's job, "
            "including agency workers, contractors and visitors' hosts.",
        ],
    ),
    (
        "Near misses and incidents",
        [
            "An incident is an unplanned event that caused injury, ill health or damage. "
            "Examples: a cut from a box cutter, a forklift striking racking, a strained back "
            "after lifting, or a pallet of stock falling and being damaged.",
            "A near miss is an event that could have caused injury or damage but did not, often "
            "by luck. Examples: a carton falls from the top beam and lands in an empty aisle; a "
            "pedestrian steps out in front of a reach truck that stops just in time; a trailer "
            "starts to pull away from the dock while being loaded.",
            "You should also report unsafe conditions (damaged racking, a missing barrier, a "
            "leaking roof) and unsafe acts (someone riding on forks or climbing racking).",
        ],
    ),
    (
        "Who to tell and when",
        [
            "- Immediately: make the area safe if you can, get first aid if anyone is hurt, and "
            "tell your Team Leader verbally. If your Team Leader is not available, tell the Shift "
            "Manager.",
            "- Within 24 hours: submit a written report. The 24-hour deadline applies to both "
            "incidents and near misses, although reporting before the end of your shift is best "
            "while details are fresh.",
            "- Injuries must also be written in the accident book in the first aid room.",
            "- Agency workers must tell their agency as well as Northbridge.",
            "- If you feel unable to raise something with your line manager, contact the Health "
            "and Safety Adviser, Priya Desai, on extension 2205 or any health and safety "
            "representative.",
        ],
    ),
    (
        "The online form",
        [
            "Reports are made on the SafeReport form on the staff intranet. You can reach it from "
            "any PC, from the kiosk in the canteen, or by scanning the QR code on the posters "
            "next to every clocking-in point. The form takes about 5 minutes and asks for:",
            "- the date, time and exact location (aisle, door or bay number);",
            "- what happened, in your own words, and what you were doing at the time;",
            "- the names of anyone injured and any witnesses;",
            "- equipment involved, such as a truck fleet number;",
            "- photographs, if it was safe to take them.",
            "Near misses can be reported anonymously by ticking the Anonymous box. If the "
            "intranet is down, use the paper form HS-01 kept at the goods-in and despatch offices "
            "and hand it to the Shift Manager. Each report receives a reference number; you will "
            "be told the outcome within 10 working days.",
        ],
    ),
    (
        "How incidents are investigated",
        [
            "The depth of investigation depends on the actual or potential severity. Minor "
            "events are investigated by the Team Leader within 5 working days; serious events are "
            "led by the Health and Safety Adviser, who starts within 48 hours.",
            "- Step 1 - Secure the scene: make the area safe and leave it undisturbed where "
            "possible.",
            "- Step 2 - Gather information: photographs, measurements, CCTV, truck data logs, and "
            "witness statements taken within 48 hours.",
            "- Step 3 - Find the root causes: ask why it happened, and why again (the five whys "
            "method), looking at equipment, layout, training, procedures and workload as well as "
            "individual actions.",
            "- Step 4 - Agree actions: each corrective action has an owner and a deadline and is "
            "tracked on the SafeReport system.",
            "- Step 5 - Share the lessons: findings are shared in the weekly safety briefing and "
            "in a one-page Safety Flash on the notice boards.",
            "- Step 6 - Check it worked: the Health and Safety Committee reviews open actions "
            "every month.",
        ],
    ),
    (
        "Our no-blame culture",
        [
            "Northbridge operates a no-blame (just) culture. The aim of an investigation is to "
            "learn, not to punish. Nobody will be disciplined for reporting an incident or a near "
            "miss, including one they were involved in, or for an honest mistake. Disciplinary "
            "action is reserved for deliberate reckless behaviour, wilful breaches of safety rules "
            "and deliberately failing to report or covering up an incident. Each month the shift "
            "with the most useful near-miss reports receives the Safety Star award.",
        ],
    ),
    (
        "Serious injuries and dangerous occurrences",
        [
            "Some events must be reported by law to the enforcing authority. The Health and "
            "Safety Adviser makes these reports; your role is to tell the Shift Manager at once "
            "and preserve the scene.",
            "- Deaths and specified injuries (for example fractures other than to fingers, "
            "thumbs and toes, amputations, loss of sight, serious burns, and injuries needing "
            "resuscitation or hospital admission for more than 24 hours): the Shift Manager phones "
            "the Health and Safety Adviser immediately, day or night, and the authority is told "
            "without delay.",
            "- Injuries that keep a worker off normal duties for more than 7 consecutive days: "
            "reported within 15 days of the incident.",
            "- Dangerous occurrences, such as a racking collapse, a forklift overturning or a "
            "load falling from height, must be reported even if nobody is hurt.",
            "Do not discuss serious incidents with the media or on social media; refer all "
            "enquiries to the Communications team.",
        ],
    ),
]

HAZARD_TITLE = "Hazardous Substances at Northbridge Logistics"
HAZARD_SLIDES: list[Section] = [
    (
        HAZARD_TITLE,
        [
            "Hazardous substances can harm you through breathing, skin contact, eyes or swallowing",
            "On our site: battery acid, cleaning chemicals, diesel and LPG, adhesives, cardboard "
            "dust",
            "Customer stock includes aerosols, paints and other dangerous goods",
            "Every substance used at work needs a safety data sheet and a risk assessment",
            "If you do not know what a substance is, do not handle it: ask your Team Leader",
        ],
    ),
    (
        "Safety data sheets (SDS)",
        [
            "The supplier must provide an SDS for every hazardous product; it has 16 sections",
            "Key sections: 2 hazards, 4 first aid, 6 spills, 7 handling and storage, 8 PPE",
            "SDS copies are kept in the yellow SDS folder in the Chemical Store and on the "
            "ChemDocs intranet page",
            "Read the SDS before using a product for the first time",
            "Take the SDS (or product label) to hospital if someone is exposed",
            "The Health and Safety Adviser checks SDS are current every 12 months",
        ],
    ),
    (
        "Hazard pictograms and labels",
        [
            "Pictograms are black symbols in a red-bordered diamond",
            "Flame = flammable; flame over circle = oxidiser; exploding bomb = explosive",
            "Corrosion (liquid eating a hand and metal) = burns skin and eyes, e.g. battery acid",
            "Skull and crossbones = acutely toxic; exclamation mark = irritant or harmful",
            "Health hazard (person with starburst) = long-term effects such as asthma or cancer",
            "Signal word DANGER means more severe than WARNING",
            "Never decant chemicals into unlabelled containers or drinks bottles",
        ],
    ),
    (
        "COSHH-style risk assessments",
        [
            "Each substance on the Approved Chemicals List has a written assessment",
            "It records who is exposed, how, for how long, and the controls needed",
            "Controls follow the order: eliminate, substitute, ventilate, safe procedures, PPE",
            "Users must read and sign the assessment before first use",
            "Assessments are reviewed every 12 months or when the product or task changes",
            "Products not on the Approved Chemicals List must not be brought on site",
        ],
    ),
    (
        "Storage rules",
        [
            "Chemicals are kept in the locked Chemical Store beside Door 24",
            "Flammable liquids go in the yellow flammables cabinet: maximum 50 litres",
            "Corrosives go in the separate corrosives cabinet, on the lowest shelves",
            "Containers stand in bunded trays holding 110% of the largest container",
            "Keep acids away from alkalis and oxidisers away from flammables",
            "Aerosol stock is stored only in the caged Aerosol Zone in Aisle 30",
            "Lids closed, labels facing out, nothing stored above shoulder height",
        ],
    ),
    (
        "Spill response",
        [
            "Stop, warn others and keep people and trucks away from the spill",
            "Identify the substance from the label and check SDS section 6",
            "Use the right spill kit: yellow for chemicals, white for oil and fuel",
            "Wear the PPE in the kit: chemical gloves, goggles and apron",
            "Use absorbent socks to protect drains, then cover with absorbent pads",
            "Bag used absorbent, label it as hazardous waste and take it to the waste cage",
            "Spills over 20 litres, unknown substances or fumes: evacuate and call ext. 2222",
        ],
    ),
    (
        "Eye wash stations",
        [
            "Plumbed stations: forklift charging bay, Chemical Store and Maintenance workshop",
            "Sealed eye wash bottles: cleaners' cupboard and each first aid kit",
            "Flush the eye for at least 15 minutes, holding the eyelids open",
            "Remove contact lenses if easily possible; rinse from the nose outwards",
            "Always get medical advice afterwards and report the incident",
            "Plumbed stations are run for 1 minute every week; bottles are replaced by the "
            "expiry date",
        ],
    ),
    (
        "Your responsibilities",
        [
            "Follow the assessment and the PPE it specifies every time",
            "Wash your hands before eating, drinking or smoking",
            "Report damaged containers, leaks, missing labels and skin or breathing problems",
            "Return chemicals to the Chemical Store at the end of the task",
            "Questions: Health and Safety Adviser, extension 2205",
        ],
    ),
]


def build_pdf(path: Path) -> None:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(f"{FORKLIFT_TITLE} - Northbridge Logistics")
    pdf.set_author(AUTHOR)
    pdf.set_margins(20, 20, 20)
    for number, (heading, blocks) in enumerate(FORKLIFT, start=1):
        pdf.add_page()
        if number == 1:
            pdf.set_font("Helvetica", "B", 20)
            pdf.multi_cell(0, 10, f"{FORKLIFT_TITLE}\nNorthbridge Logistics", align="L")
            pdf.ln(4)
        pdf.set_font("Helvetica", "B", 15)
        pdf.multi_cell(0, 8, f"{number}. {heading}", align="L")
        pdf.ln(2)
        pdf.set_font("Helvetica", "", 11)
        for block in blocks:
            if block.startswith("- "):
                pdf.set_x(26)
                pdf.multi_cell(0, 5, f"- {block[2:]}", align="L")
                pdf.ln(1)
            else:
                pdf.multi_cell(0, 5, block, align="L")
                pdf.ln(3)
    pdf.output(str(path))


def build_docx(path: Path) -> None:
    doc = Document()
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = INCIDENT_TITLE, AUTHOR, AUTHOR
    props.created = props.modified = FIXED_DATE.replace(tzinfo=None)
    props.revision = 1
    doc.add_heading(INCIDENT_TITLE, level=1)
    doc.add_paragraph("Northbridge Logistics - health and safety training module")
    for heading, blocks in INCIDENT:
        doc.add_heading(heading, level=2)
        for block in blocks:
            if block.startswith("- "):
                doc.add_paragraph(block[2:], style="List Bullet")
            else:
                doc.add_paragraph(block)
    doc.save(str(path))


def build_pptx(path: Path) -> None:
    prs = Presentation()
    props = prs.core_properties
    props.title, props.author, props.last_modified_by = HAZARD_TITLE, AUTHOR, AUTHOR
    props.created = props.modified = FIXED_DATE.replace(tzinfo=None)
    props.revision = 1
    layout = prs.slide_layouts[1]  # "Title and Content"
    for title, bullets in HAZARD_SLIDES:
        slide = prs.slides.add_slide(layout)
        slide.shapes.title.text = title
        body = slide.placeholders[1].text_frame
        body.text = bullets[0]
        for bullet in bullets[1:]:
            body.add_paragraph().text = bullet
        for paragraph in body.paragraphs:
            paragraph.font.size = Pt(18)
    prs.save(str(path))


def normalise_zip(path: Path) -> None:
    """Rewrite an Office file with fixed entry timestamps so rebuilds are byte-identical."""
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            dst.writestr(
                zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )


def check_latin1(sections: list[Section]) -> None:
    for heading, blocks in sections:
        for text in [heading, *blocks]:
            text.encode("latin-1")


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    check_latin1(FORKLIFT)
    build_pdf(OUT_DIR / "forklift-safety.pdf")
    for name, build in (
        ("incident-reporting.docx", build_docx),
        ("hazardous-substances.pptx", build_pptx),
    ):
        build(OUT_DIR / name)
        normalise_zip(OUT_DIR / name)
    print(f"Wrote sample course documents to {OUT_DIR}")


if __name__ == "__main__":
    main()
