"""Partner-facing CSV templates and the French column guide, generated from the contracts.

The files under ``sources/templates/`` are outputs of this module (``sdsf templates``); a test
checks they match the contracts, so the guide can never drift from what is validated.
"""

from __future__ import annotations

from pathlib import Path

from models import CONTRACTS
from models.common import columns_of
from orchestration import vocabulary
from orchestration.settings import SOURCES_DIR

TEMPLATES_DIR = SOURCES_DIR / "templates"
_TYPES_FR = {
    "period": "période",
    "text": "texte",
    "count": "nombre entier ≥ 0",
    "decimal": "nombre décimal ≥ 0 (virgule acceptée)",
    "yes_no": "oui / non",
    "date": "date",
}


def template_csv(kind: str) -> str:
    """Header and one example line, `;`-separated as French Excel writes it."""
    spec = columns_of(CONTRACTS[kind])
    header = ";".join(meta["fr"] for meta in spec.values())
    example = ";".join(meta["example"] for meta in spec.values())
    return f"{header}\r\n{example}\r\n"


def column_guide() -> str:
    """The French description of every column of every kind (Markdown)."""
    out = [
        "# Guide des colonnes des fichiers partenaires",
        "",
        "Ce document est généré à partir des contrats de données (`models/`) par "
        "`sdsf templates` : il décrit exactement ce qui est vérifié à la réception.",
        "",
        "Règles communes à tous les fichiers :",
        "",
        "- format CSV, séparateur point-virgule (la virgule et la tabulation sont aussi",
        "  acceptées), encodage UTF-8 (avec ou sans BOM) ou Windows-1252 ;",
        "- la première ligne contient les noms de colonnes ci-dessous (majuscules, accents et",
        "  espaces indifférents) ; les colonnes inconnues sont ignorées avec un avertissement ;",
        "- les nombres peuvent utiliser la virgule décimale et l'espace comme séparateur de",
        "  milliers ; une cellule ne doit pas commencer par =, +, - ou @ ;",
        "- uniquement des chiffres agrégés : aucune donnée personnelle (nom, date de naissance,",
        "  numéro de sécurité sociale, coordonnées) ;",
        "- un nouvel envoi pour le même partenaire, le même type et la même période remplace le",
        "  précédent pour les calculs (les deux restent archivés).",
        "",
    ]
    for kind, contract in CONTRACTS.items():
        out += [
            f"## `{kind}` — {vocabulary.label('submission_kinds', kind)}",
            "",
            contract.Config.metadata["fr"],
            "",
            f"Modèle : `sources/templates/{kind}.csv`. Clé (pas de doublon) : "
            + ", ".join(f"`{columns_of(contract)[c]['fr']}`" for c in contract.Config.unique)
            + ".",
            "",
            "| colonne | type | obligatoire | règle | exemple | description |",
            "|---|---|---|---|---|---|",
        ]
        for meta in columns_of(contract).values():
            out.append(
                f"| `{meta['fr']}` | {_TYPES_FR[meta['kind']]} | "
                f"{'oui' if meta['required'] else 'non'} | {meta['rule'] or '—'} | "
                f"`{meta['example']}` | {meta['description']} |"
            )
        out.append("")
    return "\n".join(out)


def expected_files() -> dict[str, str]:
    """File name under ``sources/templates/`` -> content."""
    files = {f"{kind}.csv": template_csv(kind) for kind in CONTRACTS}
    files["guide_colonnes.md"] = column_guide()
    return files


def write_templates(directory: Path = TEMPLATES_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in expected_files().items():
        path = directory / name
        path.write_bytes(content.encode("utf-8-sig" if name.endswith(".csv") else "utf-8"))
        written.append(path)
    return written
