"""What the demo portal contains (see the package docstring for the sources).

Texts are in Spanish for the Mexico City datathons and in Portuguese for São
Paulo's Pátio Digital, as the originals are.
"""

from __future__ import annotations

from ckanext.datathon.demo import clock

SAMPLE = "Muestra ilustrativa incluida en la demostración de ckanext-datathon."
AMOSTRA = "Amostra ilustrativa incluída na demonstração do ckanext-datathon."

USERS = [
    {
        "name": "demo-organizadora",
        "fullname": "Organizadora INFO CDMX (demo)",
        "email": "organizadora@datathon.example.org",
    },
    {
        "name": "demo-organizadora-sp",
        "fullname": "Organizadora Pátio Digital (demo)",
        "email": "organizadora-sp@datathon.example.org",
    },
    {"name": "demo-jurado", "fullname": "Jurado (demo)", "email": "jurado@datathon.example.org"},
    {
        "name": "demo-equipo",
        "fullname": "Integrante de equipo (demo)",
        "email": "equipo@datathon.example.org",
    },
    {
        "name": "demo-equipo-2",
        "fullname": "Integrante de equipo 2 (demo)",
        "email": "equipo2@datathon.example.org",
    },
    {
        "name": "demo-equipe-sp",
        "fullname": "Integrante de equipe (demo)",
        "email": "equipe-sp@datathon.example.org",
    },
]


def _stage(stage: str, starts: str, ends: str, notes: str = "") -> dict[str, str]:
    return {"stage": stage, "starts": starts, "ends": ends, "notes": notes}


def _project(name, title, team, leader, licence, datasets, notes, members=()):
    return {
        "name": name,
        "title": title,
        "team_name": team,
        "leader": leader,
        "members": list(members),
        "code_licence": licence,
        "datasets_used": list(datasets),
        "repository_url": f"https://codeberg.org/datathon-demo/{name}",
        "notes": notes,
    }


TRANSPORT = {
    "name": "transporte-seguridad-mujeres-2023",
    "title": "Datatón 2023: Transporte público, seguridad y mujeres",
    "problem_statement": (
        "Las mujeres que usan el transporte público de la Ciudad de México enfrentan acoso "
        "y violencia en trayectos, paradas y estaciones. ¿Cómo pueden los datos abiertos "
        "ayudar a entender dónde y cuándo ocurre, y a proponer políticas públicas que hagan "
        "los viajes más seguros?"
    ),
    "description": (
        "Proceso colaborativo y abierto al público para desarrollar modelos, análisis y "
        "aplicaciones con datos abiertos y proponer soluciones de política pública a "
        "autoridades y actores sociales.\n\n"
        "El problema se delimitó colectivamente en un **ideatón** el Día de los Datos "
        "Abiertos. El equipo ganador presentó su proyecto en una sesión virtual de la "
        "Estrategia Nacional de Movilidad y Seguridad Vial, por invitación del proyecto "
        "TRANSIT (GIZ México)."
    ),
    "tags": ["movilidad", "género", "seguridad", "transporte"],
    "timezone": "America/Mexico_City",
    "max_team_size": 6,
    "allowed_licences": ["MIT", "Apache-2.0", "GPL-3.0-or-later", "AGPL-3.0-or-later"],
    "require_open_data": True,
    "require_rules_acceptance": True,
    "eligibility": "Estudiantes, organizaciones de la sociedad civil y personas interesadas.",
    "rules_text": (
        "- Usar datos abiertos.\n- Código abierto con licencia de software libre.\n"
        "- Proponer soluciones de política pública al problema planteado."
    ),
    "registration_opens": clock.cdmx("2023-08-25T00:00:00"),
    "registration_closes": clock.cdmx("2023-09-15T23:59:00"),
    "submission_deadline": clock.cdmx("2023-09-15T23:59:00"),
    "judging_closes": clock.cdmx("2023-09-21T23:59:00"),
    "results_date": clock.cdmx("2023-09-22T12:00:00"),
    "state": "active",
    "prizes": [
        {
            "rank": 1,
            "title": "Primer lugar",
            "description": "Presentación ante la Estrategia Nacional de Movilidad y Seguridad Vial",
        },
    ],
    "timeline": [
        _stage(
            "identify",
            clock.cdmx("2023-01-09T09:00:00"),
            clock.cdmx("2023-02-28T18:00:00"),
            "Datos, aliados y problemas sociales",
        ),
        _stage(
            "ideathon",
            clock.cdmx("2023-03-04T10:00:00"),
            clock.cdmx("2023-03-04T18:00:00"),
            "Día de los Datos Abiertos",
        ),
        _stage("rules", clock.cdmx("2023-06-01T09:00:00"), clock.cdmx("2023-08-23T18:00:00")),
        _stage(
            "launch",
            clock.cdmx("2023-08-24T10:00:00"),
            clock.cdmx("2023-08-24T12:00:00"),
            "Publicación de las bases",
        ),
        _stage(
            "development",
            clock.cdmx("2023-08-25T00:00:00"),
            clock.cdmx("2023-09-15T23:59:00"),
            "Registro de participantes y proyectos",
        ),
        _stage("mentorship", clock.cdmx("2023-08-28T16:00:00"), clock.cdmx("2023-08-31T19:00:00")),
        _stage("submission", clock.cdmx("2023-09-15T00:00:00"), clock.cdmx("2023-09-15T23:59:00")),
        _stage("jury", clock.cdmx("2023-09-16T09:00:00"), clock.cdmx("2023-09-21T18:00:00")),
        _stage(
            "awards",
            clock.cdmx("2023-09-28T17:00:00"),
            clock.cdmx("2023-09-28T20:00:00"),
            "Ganadores anunciados el 22 de septiembre",
        ),
        _stage(
            "impact",
            clock.cdmx("2023-10-01T09:00:00"),
            clock.cdmx("2023-12-15T18:00:00"),
            "Presentación ante la Estrategia Nacional de Movilidad y Seguridad Vial",
        ),
    ],
    "datasets": [
        {
            "dataset": "afluencia-metro-por-sexo",
            "role": "primary",
            "note": "Cuándo y dónde viajan las mujeres",
        },
        {
            "dataset": "denuncias-en-transporte-publico",
            "role": "primary",
            "note": "Dónde se denuncian acoso y robos",
        },
        {
            "dataset": "luminarias-en-paradas",
            "role": "supporting",
            "note": "Iluminación de las paradas por la noche",
        },
    ],
    "allies": [
        {
            "name": "Proyecto TRANSIT (GIZ México)",
            "kind": "international",
            "url": "https://www.giz.de/en/worldwide/mexico.html",
        },
        {"name": "Colectivas por la movilidad de las mujeres", "kind": "civil_society"},
        {"name": "Universidades de la Ciudad de México", "kind": "academia"},
    ],
    "projects": [
        _project(
            "rutas-seguras",
            "Rutas seguras: mapa de riesgo nocturno",
            "Rutas Seguras",
            "demo-equipo",
            "MIT",
            [
                "afluencia-metro-por-sexo",
                "denuncias-en-transporte-publico",
                "luminarias-en-paradas",
            ],
            "Modelo de riesgo por franja horaria y parada. Equipo ganador.",
            members=["demo-equipo-2"],
        ),
        _project(
            "alerta-en-ruta",
            "Alerta en ruta",
            "Datos Violeta",
            "demo-equipo-2",
            "GPL-3.0-or-later",
            ["denuncias-en-transporte-publico"],
            "Tablero de denuncias por línea y horario.",
        ),
        _project(
            "paradas-iluminadas",
            "Paradas iluminadas",
            "Luz Pública",
            "demo-equipo",
            "Apache-2.0",
            ["luminarias-en-paradas"],
            "Priorización de luminarias por afluencia de mujeres.",
        ),
        _project(
            "viajes-de-cuidado",
            "Viajes de cuidado en el Metro",
            "Movilidad Cuidadora",
            "demo-equipo-2",
            "AGPL-3.0-or-later",
            ["afluencia-metro-por-sexo"],
            "Patrones de viaje de mujeres en horas de cuidado.",
        ),
    ],
}

CARE = {
    "name": "economia-del-cuidado-2024",
    "title": "Datatón 2024: Economía del cuidado",
    "problem_statement": (
        "La economía del cuidado es un problema público en México: las mujeres, sin "
        "remuneración, son la mayoría de quienes cuidan a niñas y niños, personas con "
        "discapacidad y personas mayores. ¿Qué nos dicen los datos abiertos sobre el "
        "tiempo, la oferta de centros y el presupuesto del cuidado?"
    ),
    "description": (
        "Datatón multietapa co-creado con redes de organizaciones civiles, instituciones "
        "públicas, especialistas y universidades. Cuatro mentorías sobre visualización de "
        "datos, datos abiertos, datos de transporte, mapa de cuidados, género, economía "
        "feminista, mercado laboral y presupuesto. Los seis proyectos registrados se "
        "presentaron al jurado antes de la ceremonia de premiación."
    ),
    "tags": ["cuidados", "género", "economía feminista", "presupuesto"],
    "timezone": "America/Mexico_City",
    "max_team_size": 6,
    "min_team_size": 1,
    "allowed_licences": [
        "MIT",
        "Apache-2.0",
        "GPL-3.0-or-later",
        "AGPL-3.0-or-later",
        "BSD-3-Clause",
        "MPL-2.0",
    ],
    "require_open_data": True,
    "require_rules_acceptance": True,
    "eligibility": "Equipos de hasta 6 personas.",
    "rules_text": (
        "- Uso de datos abiertos.\n- Equipos de no más de 6 personas.\n"
        "- Soluciones a problemas relacionados con la economía del cuidado.\n"
        "- Código abierto y software libre.\n"
        "- Premios en dinero: 2,500 dólares para cada uno de los tres primeros lugares."
    ),
    "registration_opens": clock.cdmx("2024-05-06T00:00:00"),
    "registration_closes": clock.cdmx("2024-07-31T23:59:00"),
    "submission_deadline": clock.cdmx("2024-07-31T23:59:00"),
    "judging_closes": clock.cdmx("2024-08-07T18:00:00"),
    "results_date": clock.cdmx("2024-08-08T12:00:00"),
    "state": "active",
    "prizes": [
        {"rank": 1, "title": "Primer lugar", "amount": "2500", "currency": "USD"},
        {"rank": 2, "title": "Segundo lugar", "amount": "2500", "currency": "USD"},
        {"rank": 3, "title": "Tercer lugar", "amount": "2500", "currency": "USD"},
    ],
    "timeline": [
        _stage("identify", clock.cdmx("2024-01-08T09:00:00"), clock.cdmx("2024-02-23T18:00:00")),
        _stage(
            "ideathon",
            clock.cdmx("2024-03-02T10:00:00"),
            clock.cdmx("2024-03-02T18:00:00"),
            "Día de los Datos Abiertos",
        ),
        _stage("rules", clock.cdmx("2024-03-04T09:00:00"), clock.cdmx("2024-04-12T18:00:00")),
        _stage("preparation", clock.cdmx("2024-04-15T09:00:00"), clock.cdmx("2024-05-03T18:00:00")),
        _stage("launch", clock.cdmx("2024-05-06T10:00:00"), clock.cdmx("2024-05-06T12:00:00")),
        _stage(
            "development",
            clock.cdmx("2024-05-06T00:00:00"),
            clock.cdmx("2024-07-31T23:59:00"),
            "Tres meses para desarrollar los proyectos",
        ),
        _stage(
            "mentorship",
            clock.cdmx("2024-05-20T17:00:00"),
            clock.cdmx("2024-06-24T19:00:00"),
            "4 sesiones de mentoría",
        ),
        _stage("submission", clock.cdmx("2024-07-29T00:00:00"), clock.cdmx("2024-07-31T23:59:00")),
        _stage(
            "jury",
            clock.cdmx("2024-08-01T09:00:00"),
            clock.cdmx("2024-08-07T18:00:00"),
            "Los 6 proyectos se presentaron al jurado",
        ),
        _stage("awards", clock.cdmx("2024-08-08T17:00:00"), clock.cdmx("2024-08-08T20:00:00")),
        _stage("impact", clock.cdmx("2024-08-09T09:00:00"), clock.cdmx("2024-10-31T18:00:00")),
    ],
    "datasets": [
        {
            "dataset": "uso-del-tiempo-cuidados",
            "role": "primary",
            "note": "Horas de cuidado no remunerado por sexo y edad",
        },
        {
            "dataset": "centros-de-cuidado",
            "role": "primary",
            "note": "Oferta pública de centros de cuidado",
        },
        {
            "dataset": "afluencia-metro-por-sexo",
            "role": "context",
            "note": "Viajes de cuidado en transporte público",
        },
    ],
    "allies": [
        {"name": "Red de organizaciones por los cuidados", "kind": "civil_society"},
        {"name": "Instituciones federales y estatales", "kind": "government"},
        {"name": "Especialistas en economía feminista", "kind": "academia"},
    ],
    "projects": [
        _project(f"cuidados-{slug}", title, team, leader, licence, datasets, notes)
        for slug, title, team, leader, licence, datasets, notes in [
            (
                "mapa",
                "Mapa de cuidados",
                "Cuidadoras de Datos",
                "demo-equipo",
                "MIT",
                ["centros-de-cuidado"],
                "Mapa de la oferta y la demanda de cuidados.",
            ),
            (
                "tiempo",
                "El tiempo que no se paga",
                "Horas Invisibles",
                "demo-equipo-2",
                "GPL-3.0-or-later",
                ["uso-del-tiempo-cuidados"],
                "Visualización del trabajo de cuidados.",
            ),
            (
                "presupuesto",
                "Presupuesto con perspectiva de cuidados",
                "Cuentas Claras",
                "demo-equipo",
                "Apache-2.0",
                ["centros-de-cuidado"],
                "Seguimiento del gasto en cuidados.",
            ),
            (
                "trayectos",
                "Trayectos de cuidado",
                "Movilidad y Cuidados",
                "demo-equipo-2",
                "AGPL-3.0-or-later",
                ["afluencia-metro-por-sexo", "uso-del-tiempo-cuidados"],
                "Cómo se mueven quienes cuidan.",
            ),
            (
                "empleo",
                "Cuidados y mercado laboral",
                "Trabajo Digno",
                "demo-equipo",
                "BSD-3-Clause",
                ["uso-del-tiempo-cuidados"],
                "Relación entre cuidados y empleo de las mujeres.",
            ),
            (
                "mayores",
                "Cuidar a las personas mayores",
                "Canas al Aire",
                "demo-equipo-2",
                "MPL-2.0",
                ["centros-de-cuidado"],
                "Oferta de centros de día por alcaldía.",
            ),
        ]
    ],
}


PATIO = {
    "name": "patio-digital-ciclo-inovacao-aberta",
    "title": "Pátio Digital: ciclo de inovação aberta da educação",
    "problem_statement": (
        "Como famílias, estudantes e professores podem usar os dados abertos da "
        "Secretaria Municipal de Educação de São Paulo para acompanhar e melhorar a "
        "política educacional? Transporte escolar, abertura de vagas em creches, avaliação "
        "e infraestrutura foram os temas priorizados no Plano de Dados Abertos construído "
        "com a sociedade."
    ),
    "description": (
        "Iniciativa de governo aberto lançada em abril de 2017 em aliança com a UNESCO no "
        "Brasil, com três componentes: transparência e dados abertos, colaboração entre "
        "governo e sociedade, e inovação tecnológica. O primeiro ciclo entregou uma "
        "plataforma de transparência da merenda escolar e o primeiro chatbot da Prefeitura, "
        "o Edu Bot. Cerca de 1 milhão de estudantes e 60 mil professores."
    ),
    "tags": ["educação", "governo aberto", "merenda", "creches"],
    "timezone": "America/Sao_Paulo",
    "max_team_size": 8,
    "allowed_licences": ["MIT", "GPL-3.0-or-later", "AGPL-3.0-or-later", "Apache-2.0"],
    "require_open_data": True,
    "require_rules_acceptance": True,
    "eligibility": "Famílias, estudantes, professores e a comunidade de código aberto.",
    "registration_opens": clock.sao_paulo("2017-08-01T09:00:00"),
    "registration_closes": clock.sao_paulo("2017-09-30T23:59:00"),
    "submission_deadline": clock.sao_paulo("2017-12-15T23:59:00"),
    "judging_closes": clock.sao_paulo("2018-01-31T18:00:00"),
    "results_date": clock.sao_paulo("2018-02-15T12:00:00"),
    "state": "active",
    "prizes": [],
    "timeline": [
        _stage(
            "identify",
            clock.sao_paulo("2017-04-03T09:00:00"),
            clock.sao_paulo("2017-05-31T18:00:00"),
            "Lançamento do Pátio Digital com a UNESCO",
        ),
        _stage(
            "ideathon",
            clock.sao_paulo("2017-06-01T09:00:00"),
            clock.sao_paulo("2017-07-31T18:00:00"),
            "Plano de Dados Abertos colaborativo",
        ),
        _stage(
            "launch", clock.sao_paulo("2017-08-01T09:00:00"), clock.sao_paulo("2017-08-01T12:00:00")
        ),
        _stage(
            "development",
            clock.sao_paulo("2017-08-01T09:00:00"),
            clock.sao_paulo("2017-12-15T23:59:00"),
        ),
        _stage(
            "impact",
            clock.sao_paulo("2018-02-15T09:00:00"),
            clock.sao_paulo("2018-04-30T18:00:00"),
            "Plataforma da merenda e Edu Bot em funcionamento",
        ),
    ],
    "datasets": [
        {"dataset": "cardapio-da-merenda", "role": "primary", "note": "Cardápios planejados"},
        {"dataset": "vagas-em-creches", "role": "primary", "note": "Demanda por creches"},
        {"dataset": "infraestrutura-das-escolas", "role": "supporting"},
    ],
    "allies": [
        {
            "name": "UNESCO no Brasil",
            "kind": "international",
            "url": "https://www.unesco.org/pt/brasilia",
        },
        {"name": "Comunidade de código aberto", "kind": "civil_society"},
    ],
    "projects": [
        _project(
            "merenda-transparente",
            "Plataforma de transparência da merenda",
            "Merenda Aberta",
            "demo-equipe-sp",
            "AGPL-3.0-or-later",
            ["cardapio-da-merenda"],
            "Famílias e estudantes consultam os cardápios planejados.",
        ),
        _project(
            "edu-bot",
            "Edu Bot",
            "Edu Bot",
            "demo-equipe-sp",
            "MIT",
            ["vagas-em-creches", "cardapio-da-merenda"],
            "Primeiro chatbot da Prefeitura, com informações para as famílias.",
        ),
    ],
}


def _dataset(name, title, notes, file, resource_name, tags, sample=SAMPLE):
    return {
        "name": name,
        "title": title,
        "notes": f"{notes}\n\n_{sample}_",
        "tags": [{"name": t} for t in tags],
        "license_id": "cc-by",
        "resources": [{"name": resource_name, "file": file}],
    }


STORIES = [
    {
        "organization": {
            "name": "info-cdmx",
            "title": "INFO CDMX: Instituto de Transparencia de la Ciudad de México",
            "description": "Instituto de Transparencia, Acceso a la Información Pública, "
            "Protección de Datos Personales y Rendición de Cuentas de la Ciudad de México.",
        },
        "organizers": ["demo-organizadora"],
        "datasets": [
            _dataset(
                "afluencia-metro-por-sexo",
                "Afluencia en el Metro por sexo y franja horaria",
                "Entradas por estación, línea y franja horaria, separadas por sexo.",
                "afluencia-metro-sexo.csv",
                "Afluencia marzo 2023",
                ["movilidad", "género"],
            ),
            _dataset(
                "denuncias-en-transporte-publico",
                "Denuncias de incidentes en transporte público",
                "Incidentes denunciados por alcaldía, medio de transporte y hora.",
                "denuncias-transporte.csv",
                "Denuncias 2023",
                ["seguridad", "género"],
            ),
            _dataset(
                "luminarias-en-paradas",
                "Luminarias en paradas de transporte",
                "Luminarias funcionando por parada.",
                "luminarias-paradas.csv",
                "Inventario de luminarias",
                ["movilidad", "seguridad"],
            ),
            _dataset(
                "uso-del-tiempo-cuidados",
                "Uso del tiempo: trabajo de cuidados no remunerado",
                "Horas semanales de cuidado no remunerado por sexo y grupo de edad.",
                "uso-del-tiempo-cuidados.csv",
                "Horas de cuidado",
                ["cuidados", "género"],
            ),
            _dataset(
                "centros-de-cuidado",
                "Centros públicos de cuidado",
                "Centros de atención infantil, de día y para personas con discapacidad.",
                "centros-de-cuidado.csv",
                "Directorio de centros",
                ["cuidados"],
            ),
        ],
        "challenges": [TRANSPORT, CARE],
    },
    {
        "organization": {
            "name": "sme-sao-paulo",
            "title": "Secretaria Municipal de Educação de São Paulo",
            "description": "Pátio Digital: transparência, colaboração e inovação na educação.",
        },
        "organizers": ["demo-organizadora-sp"],
        "datasets": [
            _dataset(
                "cardapio-da-merenda",
                "Cardápio da merenda escolar",
                "Cardápios planejados por tipo de unidade e refeição.",
                "cardapio-merenda.csv",
                "Cardápios março 2018",
                ["educação", "merenda"],
                AMOSTRA,
            ),
            _dataset(
                "vagas-em-creches",
                "Vagas em creches",
                "Matrículas e demanda não atendida por distrito.",
                "vagas-creches.csv",
                "Demanda fevereiro 2018",
                ["educação", "creches"],
                AMOSTRA,
            ),
            _dataset(
                "infraestrutura-das-escolas",
                "Infraestrutura das escolas",
                "Acessibilidade, quadras, bibliotecas e internet por escola.",
                "infraestrutura-escolas.csv",
                "Infraestrutura 2018",
                ["educação"],
                AMOSTRA,
            ),
        ],
        "challenges": [PATIO],
    },
]
