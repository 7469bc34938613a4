"""Build the demo magazine PDF, Port-Lumière Magazine n°47 (novembre 2026), and its .meta sidecar.

The magazine of the fictional town of Port-Lumière exists in the demo only as a PDF, like the
real magazines a town hall uploads. Its text lives here (MAGAZINE, Markdown-like: one '# ' heading
per article, and each article gets its own page, heading at the top). Run it from anywhere:

    .venv/bin/python demo/build_magazine_pdf.py

It writes demo/documents/magazine-novembre-2026.pdf and magazine-novembre-2026.pdf.meta (the
front matter the demo loader reads). The output is deterministic, so rebuilding an unchanged
magazine gives the same bytes (and the same content hash in the knowledge base).

fpdf2's core fonts (Helvetica) only cover an 8-bit code page: typographic characters are
replaced (’ by ', — by -, œ by oe) and the fonts are switched to windows-1252, the latin-1
superset that also holds the euro sign, so that € survives; any other character stops the build.
"""

import datetime as dt
import re
from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "documents" / "magazine-novembre-2026.pdf"
SIDECAR = OUTPUT.with_name(OUTPUT.name + ".meta")

MASTHEAD = "Port-Lumière Magazine n°47 - novembre 2026"
PUBLISHED = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
ENCODING = "windows-1252"

FRONT_MATTER = """\
---
title: Port-Lumière Magazine n°47 — novembre 2026
kind: magazine
published: 2026-11-01
valid_from:
valid_until:
source_url: https://www.port-lumiere.example/magazine/port-lumiere-magazine-47.pdf
---
"""

MAGAZINE = """\
# Édito de la Maire

**Port-Lumière Magazine n°47 - novembre 2026.** Le magazine d'information de la ville de
Port-Lumière.

Au sommaire : l'édito de la Maire (page 1), les travaux du front de mer (page 2), le budget
participatif (page 3), le portrait du Repair Café des Salines (page 4), l'agenda de novembre
(page 5) et l'état des travaux dans la ville (page 6).

## Un hiver ensemble

Chères Lumiéroises, chers Lumiérois,

Les jours raccourcissent, les derniers estivants sont repartis et notre ville retrouve son
rythme d'hiver. C'est souvent la saison où l'on se voit moins. Je voudrais qu'elle soit, cette
année, celle où l'on prend soin les uns des autres.

Ce mois-ci commence la deuxième phase des travaux du front de mer. Je sais que ces chantiers
sont une gêne, pour les riverains comme pour les commerçants. Nous avons tout fait pour les
concentrer sur la saison calme, et pour qu'au printemps prochain chacun, à pied, à vélo ou en
fauteuil, puisse profiter d'une promenade plus large, plus sûre et mieux éclairée. Venez en
parler avec nous lors de la réunion publique du jeudi 5 novembre.

Vous avez été 1 843 à voter pour le budget participatif : merci ! Six projets imaginés par des
habitants verront le jour en 2027. Et dès le 1er décembre, vous pourrez déposer vos idées pour
l'édition suivante.

Depuis son lancement en septembre, plus de 1 200 habitants ont retiré leur code d'accès à
ArcaChat, l'assistant en ligne de la ville, dans nos maisons de quartier. Il ne remplace pas nos
agents d'accueil, qui restent là pour vous, mais il vous renseigne à toute heure.

Enfin, avec l'arrivée du froid, je vous invite à vous inscrire, ou à inscrire un proche isolé,
sur le registre grand froid du CCAS (05 00 00 20 30). Un appel, parfois, change une journée.

Bel automne à toutes et à tous.

**Hélène Varenne, Maire de Port-Lumière**

# Travaux du front de mer : la deuxième phase commence

## Ce qui va changer

Après la réussite de la première phase entre la Grande Plage et l'esplanade des Sternes, achevée
au printemps 2026, le réaménagement du boulevard de l'Océan se poursuit vers le sud. La deuxième
phase concerne les 850 mètres qui séparent l'esplanade des Sternes du parking du Phare. Elle se
déroule du **lundi 2 novembre 2026 à fin mars 2027**.

- Une promenade piétonne élargie à 5 mètres, sans marche ni bordure, accessible aux fauteuils
  roulants et aux poussettes.
- Des bancs avec dossier et accoudoirs tous les cent mètres, comme sur la première partie.
- Une piste cyclable séparée de la promenade.
- Un éclairage LED plus doux, orienté vers le sol, qui respecte les oiseaux du littoral.
- Des plantations adaptées au vent et au sel, et un réseau d'eaux pluviales refait à neuf.

Le coût de cette deuxième phase est de 2,4 millions d'euros, financés à 40 % par la Région et
l'État.

## Circulation et stationnement pendant le chantier

- Le boulevard de l'Océan est **fermé à la circulation** entre l'esplanade des Sternes et la rue
  du Sémaphore, du lundi au vendredi de 8 h à 17 h. Les riverains, les secours et les livraisons
  gardent leur accès.
- La **ligne 1 du Lumibus** est déviée par l'avenue des Pins. L'arrêt « Esplanade » est déplacé
  provisoirement rue des Mimosas.
- Le parking de l'Esplanade (40 places) est fermé pendant toute la durée des travaux. Garez-vous
  au parking de la halle du marché ou au parking relais des Salines, gratuits.
- Le chantier s'interrompt pour les fêtes, du samedi 19 décembre 2026 au dimanche 3 janvier
  2027.

## Une réunion publique pour en parler

Patrick Dornier, adjoint aux travaux et au cadre de vie, et les équipes du chantier présenteront
le calendrier détaillé lors d'une **réunion publique le jeudi 5 novembre à 18 h 30, salle
Océane**. Entrée libre. Pour toute question pendant les travaux : services techniques, 05 00 00
10 20.

# Budget participatif : vos six projets pour 2027

## Les résultats du vote

Pour sa deuxième édition, le budget participatif de Port-Lumière disposait de 150 000 euros.
Vous avez déposé 34 idées au printemps ; 21 ont été jugées réalisables par les services de la
ville et soumises au vote du 1er au 30 septembre 2026. Vous avez été **1 843 votants**, en ligne
et avec les bulletins papier des maisons de quartier, soit presque deux fois plus que l'an
dernier.

Les six projets lauréats seront réalisés en 2027 :

- **Des toilettes publiques accessibles au vieux port** (45 000 €), proposées par un collectif
  d'habitants du Centre-Port.
- **Des bancs et des ombrières le long du chemin des Paludiers** (38 000 €), pour faire des
  pauses pendant la promenade des Salines.
- **Un verger partagé à Bellevue** (25 000 €), avec des arbres fruitiers anciens et des bacs de
  jardinage surélevés, à hauteur de fauteuil.
- **Un parcours de santé pour les seniors au parc des Tamaris** (24 000 €) : huit agrès simples
  pour garder l'équilibre et la souplesse.
- **Des tables de pique-nique accessibles à l'Anse du Phare** (12 000 €).
- **Une boîte à livres dans chaque quartier** (6 000 €), fabriquée par les élèves du lycée
  professionnel.

## La troisième édition : à vos idées !

Vous avez une idée pour votre quartier ? Le dépôt des projets pour l'édition 2027 est ouvert
**du mardi 1er décembre 2026 au dimanche 31 janvier 2027**. Tout habitant de Port-Lumière âgé de
16 ans ou plus peut proposer un projet d'intérêt général, d'un montant de 50 000 euros au plus.

Les formulaires sont disponibles en ligne sur
https://www.port-lumiere.example/budget-participatif, à l'accueil de l'Hôtel de ville et dans
les trois maisons de quartier, où les agents peuvent vous aider à rédiger votre proposition. Le
vote aura lieu en septembre 2027.

# Portrait : le Repair Café des Salines

## « Ici, on ne jette rien avant d'avoir essayé »

Un samedi matin à la maison de quartier des Salines. Sur les tables, un grille-pain éventré, une
lampe de chevet, une machine à coudre des années soixante et un poste de radio qui grésille.
Autour, une vingtaine de personnes, tournevis ou aiguille à la main. Bienvenue au Repair Café
des Salines.

L'association est née en 2019 d'une idée de Bernard Quéméner, 71 ans, ancien électricien au
chantier naval. « J'avais un garage plein d'outils et des voisins qui jetaient des appareils
pour un simple fil dessoudé. Je me suis dit qu'on pouvait faire mieux. » Sept ans plus tard, le
Repair Café compte 22 bénévoles : électriciens, couturières, informaticiens, réparateurs de
vélos, et beaucoup de retraités heureux de transmettre leur savoir-faire.

## Réparer ensemble, pas à votre place

Le principe est simple : vous venez avec votre objet en panne, et un bénévole le répare **avec
vous**. « On explique ce qu'on fait, on montre. Beaucoup repartent en sachant changer un fusible
ou recoudre une doublure », raconte Odile, couturière du groupe. Depuis sa création,
l'association a examiné plus de 1 340 objets, et en a remis en marche près de sept sur dix.

Le Repair Café est aussi un lieu de rencontre. Pendant qu'on attend son tour, on boit un café,
on discute, on se donne des nouvelles. « Certains viennent sans rien à réparer, juste pour la
compagnie, et c'est très bien comme ça », sourit Bernard.

## Pratique

Le Repair Café a lieu **le 2e samedi de chaque mois, de 9 h 30 à 12 h 30**, à la maison de
quartier des Salines, 27 chemin des Paludiers (bus ligne 2, arrêt « Salines »). Prochaines dates
: samedi 14 novembre et samedi 12 décembre. Apportez votre objet avec son câble ou son chargeur.
L'accès est gratuit, une participation libre est proposée pour les pièces. L'association cherche
de nouveaux bénévoles, notamment pour réparer les téléphones et les ordinateurs : renseignements
à la maison de quartier des Salines, 05 00 00 60 30.

# Agenda : vos rendez-vous de novembre

Une sélection des rendez-vous du mois. Le programme complet de novembre et de décembre figure
dans le guide « Sortir à Port-Lumière », disponible à l'accueil de la mairie, dans les maisons
de quartier et sur https://www.port-lumiere.example/agenda.

- **Mercredi 4 novembre, 14 h 30** : ciné seniors, « Un été chez Mado », cinéma Le Fanal, 22 rue
  du Port. 4 €, thé et gâteau compris.
- **Jeudi 5 novembre, 18 h 30** : réunion publique sur les travaux du front de mer, salle
  Océane. Entrée libre.
- **Mercredi 11 novembre, 11 h** : commémoration de l'Armistice, monument aux morts, place de
  l'Horloge, suivie d'un vin d'honneur à la salle Océane.
- **Samedi 14 novembre, 9 h 30 - 12 h 30** : Repair Café, maison de quartier des Salines.
  Gratuit.
- **Samedi 14 novembre, 14 h** : loto du Club Soleil d'Automne, salle Océane. 3 € le carton, 15
  € les six.
- **Mardi 17 novembre, 15 h** : conférence « Les gardiens du phare de Port-Lumière »,
  médiathèque La Vigie. Gratuit, sur inscription au 05 00 00 30 00.
- **Jeudi 19 novembre, 14 h 30 - 18 h** : thé dansant avec l'orchestre Musette Océane, salle
  Océane. 10 €, boisson et pâtisserie comprises.
- **Vendredi 20 novembre** : date limite d'inscription au repas des aînés du jeudi 10 décembre,
  au CCAS (05 00 00 20 00).
- **Samedi 21 novembre, 10 h - 17 h** : foire aux livres, le Grand Hangar, quai de la Criée.
  Entrée libre.
- **Mardi 24 novembre, 10 h** : atelier « Prévenir les chutes à la maison », maison de quartier
  du Phare. Gratuit, sur inscription au CCAS.
- **Du vendredi 27 au dimanche 29 novembre** : théâtre, « Marée basse au Grand Hôtel », par Les
  Planches Salées, le Grand Hangar. 8 €.

## À noter dès maintenant

Le **Téléthon** aura lieu le samedi 5 décembre, place de l'Horloge et salle Océane, et le
**marché de Noël** le samedi 12 et le dimanche 13 décembre, place de l'Horloge et au Grand
Hangar.

Pour vous rendre à ces rendez-vous, pensez à la navette seniors gratuite : réservation la veille
avant 16 h au 05 00 00 20 20.

# État des travaux dans la ville

Où en sont les chantiers de la ville ? Voici le point au 1er novembre 2026.

- **Front de mer, deuxième phase** : démarrage le lundi 2 novembre, fin prévue fin mars 2027
  (voir page 2).
- **Rue des Tamaris** : la Régie des eaux du littoral remplace les canalisations d'eau potable
  jusqu'au vendredi 11 décembre. Circulation alternée par feux. L'accès au CCAS reste ouvert ;
  une coupure d'eau de quelques heures sera annoncée aux riverains 48 heures à l'avance.
- **Maison de quartier du Phare** : l'ascenseur est en cours d'installation, pour une mise en
  service à la mi-décembre. La maison reste ouverte pendant les travaux, avec un accueil au
  rez-de-chaussée.
- **Église Saint-Nicolas** : la réfection de la toiture est terminée depuis octobre. Les
  concerts de décembre s'y tiendront comme prévu.
- **Cimetière** : les allées principales sont refaites pour être praticables en fauteuil
  roulant, et deux nouveaux points d'eau sont installés. Les travaux commencent le lundi 2
  novembre, après la Toussaint, et se terminent le vendredi 27 novembre ; le cimetière reste
  ouvert.
- **Éclairage public à Bellevue** : les 220 lampadaires du quartier sont passés en LED.
  L'éclairage est réduit de moitié entre 23 h et 6 h, sans extinction.
- **Parking relais des Salines** : 60 places supplémentaires seront créées de janvier à mars
  2027, avant la saison d'été.

## Signaler un problème

Un trottoir abîmé, un lampadaire éteint, un nid-de-poule ? Signalez-le aux services techniques
au 05 00 00 10 20, à l'accueil de la mairie ou sur https://www.port-lumiere.example/signalement.
La nuit, le week-end et les jours fériés, en cas de danger : astreinte technique au 05 00 00 99
99.

Port-Lumière Magazine, magazine d'information de la ville de Port-Lumière, Hôtel de ville, 1
place de l'Horloge. Directrice de la publication : Hélène Varenne. Tirage : 7 500 exemplaires,
distribués dans toutes les boîtes aux lettres. Une version en gros caractères et une version
audio sont disponibles à la médiathèque La Vigie.
"""

REPLACEMENTS = {
    "\u2019": "'",  # ’
    "\u2018": "'",  # ‘
    "\u201c": '"',  # “
    "\u201d": '"',  # ”
    "\u2014": "-",  # —
    "\u2013": "-",  # –
    "\u2026": "...",  # …
    "\u0153": "oe",  # œ
    "\u0152": "OE",  # Œ
    "\u202f": " ",  # narrow no-break space
}

BLUE = (18, 62, 105)
GREY = (90, 90, 90)
BLACK = (20, 20, 20)


def to_core_font(text: str) -> str:
    """The text with typographic characters the core fonts cannot draw replaced."""
    for char, plain in REPLACEMENTS.items():
        text = text.replace(char, plain)
    try:
        text.encode(ENCODING)
    except UnicodeEncodeError as exc:
        raise SystemExit(f"Character not drawable in Helvetica: {exc.object[exc.start]!r}") from exc
    return text


def articles(source: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(heading, [(block kind, text)])] with kinds 'h2', 'item' and 'p'; one per '# ' heading."""
    result: list[tuple[str, list[tuple[str, str]]]] = []
    for block in re.split(r"\n\s*\n", source.strip()):
        lines = block.strip().splitlines()
        if lines[0].startswith("# "):
            result.append((lines[0][2:].strip(), []))
            lines = lines[1:]
            if not lines:
                continue
        if not result:
            raise SystemExit("The magazine text must start with a '# ' heading.")
        blocks = result[-1][1]
        if lines[0].startswith("## "):
            blocks.append(("h2", lines[0][3:].strip()))
        elif lines[0].startswith("- "):
            items: list[str] = []
            for line in lines:
                if line.startswith("- "):
                    items.append(line[2:].strip())
                else:
                    items[-1] += " " + line.strip()
            blocks.extend(("item", item) for item in items)
        else:
            blocks.append(("p", " ".join(line.strip() for line in lines)))
    return result


class Magazine(FPDF):
    def header(self) -> None:
        self.set_font("Helvetica", size=8.5)
        self.set_text_color(*GREY)
        self.cell(0, 5, to_core_font(MASTHEAD))
        self.set_x(self.l_margin)
        self.cell(0, 5, to_core_font("Ville de Port-Lumière"), align="R")
        self.ln(6)
        self.set_draw_color(*BLUE)
        self.set_line_width(0.4)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(6)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", size=8.5)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"Page {self.page_no()} / {{nb}}", align="C")


def render(content: list[tuple[str, list[tuple[str, str]]]], size: float) -> Magazine:
    pdf = Magazine(format="A4")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_margins(20, 14, 20)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_creation_date(PUBLISHED)
    pdf.set_lang("fr-FR")
    pdf.set_title(to_core_font(MASTHEAD))
    pdf.set_author(to_core_font("Ville de Port-Lumière (ville fictive de démonstration)"))
    pdf.set_subject(to_core_font("Magazine d'information municipal"))
    pdf.set_creator("ArcaChat demo/build_magazine_pdf.py")
    line = size * 0.5
    for heading, blocks in content:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 19)
        pdf.set_text_color(*BLUE)
        pdf.multi_cell(0, 9, to_core_font(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        for kind, text in blocks:
            text = to_core_font(text)
            if kind == "h2":
                pdf.ln(1.5)
                pdf.set_font("Helvetica", "B", size + 2.5)
                pdf.set_text_color(*BLUE)
                pdf.multi_cell(0, line + 1, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
                continue
            pdf.set_font("Helvetica", size=size)
            pdf.set_text_color(*BLACK)
            if kind == "item":
                pdf.set_x(pdf.l_margin + 2)
                pdf.cell(5, line, "-")
                pdf.multi_cell(0, line, text, markdown=True, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
            else:
                pdf.multi_cell(0, line, text, markdown=True, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2.2)
    return pdf


def build() -> Path:
    content = articles(MAGAZINE)
    for tenths in range(110, 80, -5):  # the largest body size at which each article fits a page
        pdf = render(content, tenths / 10)
        if pdf.page_no() == len(content):
            break
    else:
        raise SystemExit("An article does not fit on one page even at 8.5 pt: shorten it.")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(OUTPUT))
    SIDECAR.write_text(FRONT_MATTER, encoding="utf-8")
    return OUTPUT


if __name__ == "__main__":
    path = build()
    print(f"Wrote {path} and {SIDECAR.name}")
