"""Demo content of the method's later stages, by challenge name: ideathon ideas
with their data gaps (stage 2), mentorship sessions (7), the jury, its
criteria, scores and awards (8-10) and impact entries (11).

Facts follow the public write-ups (``seeds/``): the 2023 mentorship week of
28-31 August, the four 2024 mentorship sessions and their topics, the 2023
winner's presentation to the National Mobility and Road Safety Strategy, the
Pátio Digital open data plan's topics and the school-meals platform and Edu
Bot.  People, exact hours, scores and the ideas' wording are illustrative.
"""

from __future__ import annotations

from ckanext.datathon.demo import clock

MENTORSHIPS: dict[str, list[dict[str, object]]] = {
    "transporte-seguridad-mujeres-2023": [
        {
            "title": title,
            "starts": clock.cdmx(f"2023-08-{day}T16:00:00"),
            "ends": clock.cdmx(f"2023-08-{day}T19:00:00"),
            "location": "En línea",
            "mentors": mentors,
            "description": description,
        }
        for day, title, mentors, description in [
            (
                "28",
                "Datos de movilidad con perspectiva de género",
                ["Especialista en movilidad (demo)"],
                "Fuentes abiertas sobre viajes, afluencia y seguridad en el transporte.",
            ),
            (
                "29",
                "Análisis geoespacial de denuncias",
                ["Especialista en datos geográficos (demo)"],
                "Cómo ubicar y agregar denuncias sin exponer a las personas.",
            ),
            (
                "30",
                "Visualización y narrativa de datos",
                ["Especialista en visualización (demo)"],
                "Del análisis a una historia que entiendan las autoridades.",
            ),
            (
                "31",
                "De los datos a la política pública",
                ["Especialista en políticas públicas (demo)"],
                "Cómo convertir un hallazgo en una propuesta viable.",
            ),
        ]
    ],
    "economia-del-cuidado-2024": [
        {
            "title": title,
            "starts": clock.cdmx(f"2024-{date}T17:00:00"),
            "ends": clock.cdmx(f"2024-{date}T19:00:00"),
            "location": "En línea",
            "mentors": mentors,
            "description": description,
        }
        for date, title, mentors, description in [
            (
                "05-20",
                "Visualización de datos y datos abiertos",
                ["Especialista en visualización (demo)"],
                "Dónde están los datos del cuidado y cómo mostrarlos.",
            ),
            (
                "06-03",
                "Datos de transporte y mapa de cuidados",
                ["Especialista en movilidad (demo)"],
                "Los viajes de cuidado y la oferta de centros en el territorio.",
            ),
            (
                "06-10",
                "Género y economía feminista",
                ["Especialista en economía feminista (demo)"],
                "El trabajo de cuidados no remunerado como problema público.",
            ),
            (
                "06-24",
                "Mercado laboral y presupuesto",
                ["Especialista en presupuesto público (demo)"],
                "Empleo de las mujeres y gasto público en cuidados.",
            ),
        ]
    ],
}

# Ideas: (author, title, description, data gaps [(title, holder, description)], voters)
IDEAS: dict[str, list[tuple[str, str, str, list[tuple[str, str, str]], list[str]]]] = {
    "transporte-seguridad-mujeres-2023": [
        (
            "demo-equipo",
            "Mapa del acoso en paradas y estaciones",
            "Ubicar dónde y a qué hora se concentran las denuncias de acoso.",
            [
                (
                    "Denuncias de acoso georreferenciadas por parada",
                    "Fiscalía General de Justicia de la Ciudad de México",
                    "Hoy se publican por alcaldía; se necesita la parada o estación.",
                )
            ],
            ["demo-equipo-2", "demo-jurado"],
        ),
        (
            "demo-equipo-2",
            "Iluminación y vigilancia en los trayectos a pie",
            "Relacionar luminarias y cámaras con los tramos que las mujeres evitan.",
            [
                (
                    "Ubicación de cámaras de videovigilancia",
                    "Centro de Comando, Control, Cómputo, Comunicaciones y Contacto Ciudadano",
                    "",
                )
            ],
            ["demo-equipo"],
        ),
        (
            "demo-jurado",
            "Horarios con menos oferta de transporte",
            "Comparar la frecuencia de paso nocturna con la demanda de las mujeres.",
            [],
            [],
        ),
    ],
    "patio-digital-ciclo-inovacao-aberta": [
        (
            "demo-equipe-sp",
            "Acompanhar o transporte escolar gratuito",
            "Famílias querem saber rotas, horários e vagas do transporte escolar.",
            [
                (
                    "Rotas e horários do Transporte Escolar Gratuito",
                    "SME - Transporte Escolar",
                    "",
                )
            ],
            ["demo-organizadora-sp"],
        ),
        (
            "demo-organizadora-sp",
            "Abertura de vagas em creches",
            "Mostrar onde e quando abrem novas vagas em creches.",
            [
                (
                    "Previsão de abertura de vagas por creche",
                    "SME - Educação Infantil",
                    "A demanda é publicada; a previsão de novas vagas, não.",
                )
            ],
            ["demo-equipe-sp"],
        ),
        ("demo-equipe-sp", "Resultados da avaliação por escola", "", [], []),
        (
            "demo-equipe-sp",
            "Infraestrutura das escolas",
            "Acessibilidade, quadras e bibliotecas de cada escola.",
            [("Laudos de acessibilidade das escolas", "SME - Infraestrutura", "")],
            [],
        ),
    ],
}

# The jury: jurors, criteria (name, description, weight, max score) and each
# project's score per criterion (the same from every juror, in criteria order).
JURIES: dict[str, dict[str, object]] = {
    "transporte-seguridad-mujeres-2023": {
        "jurors": ["demo-jurado"],
        "criteria": [
            ("Uso de datos abiertos", "Los datos abiertos sostienen el análisis.", "2", 5),
            ("Propuesta de política pública", "Viable y dirigida a una autoridad.", "2", 5),
            ("Código abierto", "Repositorio documentado y reutilizable.", "1", 5),
        ],
        "scores": {
            "rutas-seguras": [5, 5, 4],
            "alerta-en-ruta": [4, 3, 4],
            "paradas-iluminadas": [3, 4, 3],
            "viajes-de-cuidado": [4, 2, 5],
        },
        "awards": 1,
        "citation": "Por traducir los datos en una propuesta para la estrategia de movilidad.",
    },
    "economia-del-cuidado-2024": {
        "jurors": ["demo-jurado"],
        "criteria": [
            ("Uso de datos abiertos", "Los datos abiertos sostienen el análisis.", "2", 5),
            ("Impacto social", "Responde a quienes cuidan y a quienes son cuidados.", "2", 5),
            ("Calidad técnica", "Código abierto, documentado y reproducible.", "1", 5),
            ("Claridad de la propuesta", "Se entiende y se puede presentar.", "1", 5),
        ],
        "scores": {
            "cuidados-mapa": [5, 5, 4, 5],
            "cuidados-tiempo": [5, 4, 4, 4],
            "cuidados-presupuesto": [4, 5, 3, 4],
            "cuidados-trayectos": [4, 4, 4, 3],
            "cuidados-empleo": [3, 4, 4, 3],
            "cuidados-mayores": [3, 3, 3, 4],
        },
        "awards": 3,
        "citation": "",
    },
}

# Impact: (date, kind, title, description, url, project name, dataset names)
IMPACT: dict[str, list[tuple[str, str, str, str, str, str | None, list[str]]]] = {
    "transporte-seguridad-mujeres-2023": [
        (
            "2023-10-15",
            "policy_adoption",
            "Presentación en la Estrategia Nacional de Movilidad y Seguridad Vial",
            "El equipo ganador presentó su proyecto y su aporte al transporte local en una "
            "sesión virtual de la Estrategia, por invitación del proyecto TRANSIT (GIZ México).",
            "",
            "rutas-seguras",
            ["denuncias-en-transporte-publico", "afluencia-metro-por-sexo"],
        ),
    ],
    "patio-digital-ciclo-inovacao-aberta": [
        (
            "2018-02-15",
            "deployment",
            "Plataforma de transparência da merenda escolar",
            "Famílias e estudantes consultam os cardápios planejados: uma divulgação inédita "
            "no Brasil.",
            "",
            "merenda-transparente",
            ["cardapio-da-merenda"],
        ),
        (
            "2018-02-15",
            "deployment",
            "Edu Bot, o primeiro chatbot da Prefeitura",
            "Informações para as famílias sobre a rede municipal de ensino.",
            "",
            "edu-bot",
            ["vagas-em-creches"],
        ),
        (
            "2018-04-30",
            "dataset_release",
            "SME em primeiro lugar no ranking de dados abertos da Prefeitura",
            "Um ano depois do lançamento, a Secretaria lidera a transparência ativa da "
            "Prefeitura, com dados de transporte, creches, avaliação e infraestrutura.",
            "",
            None,
            ["vagas-em-creches", "infraestrutura-das-escolas"],
        ),
    ],
}
