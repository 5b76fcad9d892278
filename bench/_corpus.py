"""Names shared by the benchmark corpora."""

# A city government's usual departments (site names, document numbers).
DEPARTMENTS = [
    "交通运输局",
    "教育局",
    "民政局",
    "卫生健康委员会",
    "生态环境局",
    "住房和城乡建设局",
    "农业农村局",
    "人力资源和社会保障局",
    "市场监督管理局",
    "应急管理局",
    "财政局",
    "医疗保障局",
    "文化广电旅游局",
    "自然资源局",
    "水利局",
    "公安局",
]
