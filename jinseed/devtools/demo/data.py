"""Word lists for ``manage.py seed_demo``: invented but plausible units, posts, names, schools.

Units and posts are made up in the style of Jinshan's real bodies; people's names are drawn
from common surnames and given-name characters, so no real person's data is used.
"""

from positions.enums import Town, UnitKind

DEMO_PASSWORD = "jinseed-demo-2020"  # noqa: S105 - the published demo password (README)

TOWN_NAMES: dict[str, str] = {
    Town.SHIHUA: "石化街道",
    Town.ZHUJING: "朱泾镇",
    Town.FENGJING: "枫泾镇",
    Town.ZHANGYAN: "张堰镇",
    Town.TINGLIN: "亭林镇",
    Town.LYUXIANG: "吕巷镇",
    Town.LANGXIA: "廊下镇",
    Town.JINSHANWEI: "金山卫镇",
    Town.CAOJING: "漕泾镇",
    Town.SHANYANG: "山阳镇",
    Town.INDUSTRIAL_ZONE: "金山工业区",
}

STREETS: dict[str, list[str]] = {
    Town.SHIHUA: ["卫零路", "蒙山路", "龙胜路", "石化大道", "金一东路"],
    Town.ZHUJING: ["人民路", "健康路", "临源街", "东林街", "沈浦泾路"],
    Town.FENGJING: ["和平街", "新枫路", "亭枫公路", "朱枫公路", "北大街"],
    Town.ZHANGYAN: ["新华路", "松金公路", "东贤路", "百家路"],
    Town.TINGLIN: ["亭林大街", "寺平路", "林盛路", "松隐路"],
    Town.LYUXIANG: ["朱吕公路", "干巷路", "吕青路", "康乐街"],
    Town.LANGXIA: ["景乐路", "廊下大街", "山塘路", "万春街"],
    Town.JINSHANWEI: ["卫城路", "古城路", "南门路", "八一路"],
    Town.CAOJING: ["漕廊公路", "亭卫南路", "阮巷路", "营房路"],
    Town.SHANYANG: ["板桥西路", "龙皓路", "金山大道", "海兴路", "杭州湾大道"],
    Town.INDUSTRIAL_ZONE: ["夏宁路", "揽工路", "天工路", "林慧路"],
}

#: (name, kind, town, short description). About sixty units, every kind, every town.
UNITS: list[tuple[str, str, str, str]] = [
    # District committees and bureaus
    ("金山区发展和改革委员会", UnitKind.DISTRICT_BUREAU, Town.SHIHUA, "负责全区国民经济和社会发展规划、重大项目统筹。"),
    (
        "金山区人力资源和社会保障局",
        UnitKind.DISTRICT_BUREAU,
        Town.SHIHUA,
        "负责就业创业、人才引进、社会保险与劳动关系。",
    ),
    ("金山区教育局", UnitKind.DISTRICT_BUREAU, Town.SHIHUA, "负责全区基础教育、职业教育和终身教育工作。"),
    ("金山区卫生健康委员会", UnitKind.DISTRICT_BUREAU, Town.SHIHUA, "负责全区医疗卫生、疾病防控与健康促进。"),
    ("金山区民政局", UnitKind.DISTRICT_BUREAU, Town.SHIHUA, "负责社会救助、养老服务、社会组织与社区建设。"),
    ("金山区财政局", UnitKind.DISTRICT_BUREAU, Town.SHIHUA, "负责全区财政预算、国有资产与政府采购管理。"),
    ("金山区商务委员会", UnitKind.DISTRICT_BUREAU, Town.SHANYANG, "负责招商引资、外贸发展与商业服务。"),
    ("金山区科学技术委员会", UnitKind.DISTRICT_BUREAU, Town.SHANYANG, "负责科技创新、高新技术企业培育与成果转化。"),
    ("金山区文化和旅游局", UnitKind.DISTRICT_BUREAU, Town.SHANYANG, "负责文化事业、旅游推广与文物保护。"),
    ("金山区农业农村委员会", UnitKind.DISTRICT_BUREAU, Town.ZHUJING, "负责乡村振兴、现代农业与农村改革。"),
    ("金山区生态环境局", UnitKind.DISTRICT_BUREAU, Town.SHIHUA, "负责环境监测、污染防治与生态保护。"),
    ("金山区规划和自然资源局", UnitKind.DISTRICT_BUREAU, Town.SHIHUA, "负责国土空间规划与自然资源管理。"),
    ("金山区市场监督管理局", UnitKind.DISTRICT_BUREAU, Town.SHANYANG, "负责市场主体登记、食品药品与质量安全监管。"),
    ("金山区司法局", UnitKind.DISTRICT_BUREAU, Town.SHIHUA, "负责法治宣传、人民调解与公共法律服务。"),
    ("金山区住房和城乡建设管理委员会", UnitKind.DISTRICT_BUREAU, Town.SHIHUA, "负责城乡建设、住房保障与建筑市场管理。"),
    (
        "共青团上海市金山区委员会",
        UnitKind.DISTRICT_BUREAU,
        Town.SHIHUA,
        "负责全区共青团和青少年工作，“金种子”计划的组织方。",
    ),
    # Towns and sub-districts
    ("朱泾镇人民政府", UnitKind.TOWN, Town.ZHUJING, "区政府所在老城区，花灯与水乡文化之镇。"),
    ("枫泾镇人民政府", UnitKind.TOWN, Town.FENGJING, "千年古镇，农民画与旅游特色小镇。"),
    ("张堰镇人民政府", UnitKind.TOWN, Town.ZHANGYAN, "历史文化名镇，南社文化发源地之一。"),
    ("亭林镇人民政府", UnitKind.TOWN, Town.TINGLIN, "先进制造业与现代农业并重的大镇。"),
    ("吕巷镇人民政府", UnitKind.TOWN, Town.LYUXIANG, "以水果种植与乡村旅游闻名。"),
    ("廊下镇人民政府", UnitKind.TOWN, Town.LANGXIA, "郊野公园与生态农业示范镇。"),
    ("金山卫镇人民政府", UnitKind.TOWN, Town.JINSHANWEI, "卫城古迹与抗战纪念地所在镇。"),
    ("漕泾镇人民政府", UnitKind.TOWN, Town.CAOJING, "毗邻化学工业区的滨海城镇。"),
    ("山阳镇人民政府", UnitKind.TOWN, Town.SHANYANG, "金山新城核心区与滨海旅游区所在镇。"),
    ("石化街道办事处", UnitKind.TOWN, Town.SHIHUA, "因石化而兴的滨海街道，城市社区治理示范区。"),
    ("金山工业区管理委员会", UnitKind.TOWN, Town.INDUSTRIAL_ZONE, "市级工业区，新材料与智能制造集聚地。"),
    # Village and neighbourhood committees
    ("朱泾镇秀洲村村民委员会", UnitKind.GRASSROOTS, Town.ZHUJING, "以水稻种植和乡村民宿为特色的行政村。"),
    ("枫泾镇韩坞村村民委员会", UnitKind.GRASSROOTS, Town.FENGJING, "美丽乡村示范村。"),
    ("张堰镇百家居民委员会", UnitKind.GRASSROOTS, Town.ZHANGYAN, "老镇区居民区，老年居民较多。"),
    ("亭林镇松隐居民委员会", UnitKind.GRASSROOTS, Town.TINGLIN, "新建商品房小区居民区。"),
    ("吕巷镇和平村村民委员会", UnitKind.GRASSROOTS, Town.LYUXIANG, "蟠桃与葡萄种植专业村。"),
    ("廊下镇中丰村村民委员会", UnitKind.GRASSROOTS, Town.LANGXIA, "郊野公园内的生态村。"),
    ("金山卫镇八一村村民委员会", UnitKind.GRASSROOTS, Town.JINSHANWEI, "乡村振兴示范村。"),
    ("漕泾镇阮巷村村民委员会", UnitKind.GRASSROOTS, Town.CAOJING, "滨海特色村。"),
    ("山阳镇金豪居民委员会", UnitKind.GRASSROOTS, Town.SHANYANG, "金山新城大型居住社区。"),
    ("石化街道海棠居民委员会", UnitKind.GRASSROOTS, Town.SHIHUA, "石化老生活区居民区，正推进旧区改造。"),
    ("石化街道合浦居民委员会", UnitKind.GRASSROOTS, Town.SHIHUA, "垃圾分类与社区自治示范居民区。"),
    ("山阳镇渔业村村民委员会", UnitKind.GRASSROOTS, Town.SHANYANG, "金山嘴老渔村所在村。"),
    # Public institutions
    ("金山区图书馆", UnitKind.PUBLIC_INSTITUTION, Town.SHANYANG, "区级公共图书馆，全民阅读推广基地。"),
    ("金山区博物馆", UnitKind.PUBLIC_INSTITUTION, Town.SHANYANG, "区域历史文化展示与研究机构。"),
    ("金山区文化馆", UnitKind.PUBLIC_INSTITUTION, Town.SHIHUA, "群众文化活动与非遗保护中心。"),
    ("金山区青少年活动中心", UnitKind.PUBLIC_INSTITUTION, Town.SHIHUA, "面向中小学生的校外教育机构。"),
    ("金山区人才服务中心", UnitKind.PUBLIC_INSTITUTION, Town.SHIHUA, "人才引进、档案管理与就业见习服务。"),
    ("金山区疾病预防控制中心", UnitKind.PUBLIC_INSTITUTION, Town.SHIHUA, "传染病防控、健康监测与健康教育。"),
    ("金山区档案馆", UnitKind.PUBLIC_INSTITUTION, Town.SHIHUA, "全区综合档案馆，地方志编研。"),
    ("金山区融媒体中心", UnitKind.PUBLIC_INSTITUTION, Town.SHIHUA, "区级新闻宣传与新媒体平台运营。"),
    ("金山区社区学院", UnitKind.PUBLIC_INSTITUTION, Town.ZHUJING, "社区教育与老年教育机构。"),
    ("金山区公共资源交易中心", UnitKind.PUBLIC_INSTITUTION, Town.SHANYANG, "工程招投标与政府采购交易平台。"),
    ("枫泾古镇管理委员会", UnitKind.PUBLIC_INSTITUTION, Town.FENGJING, "古镇保护、文旅运营与游客服务。"),
    ("金山区城市网格化综合管理中心", UnitKind.PUBLIC_INSTITUTION, Town.SHIHUA, "城市运行“一网统管”平台。"),
    # Enterprises
    ("上海金石化工新材料有限公司", UnitKind.ENTERPRISE, Town.SHIHUA, "石化下游新材料生产企业。"),
    ("上海杭州湾石油化工股份有限公司", UnitKind.ENTERPRISE, Town.SHIHUA, "炼油与化工一体化大型企业。"),
    ("金山城市建设投资集团有限公司", UnitKind.ENTERPRISE, Town.SHANYANG, "区属国有城市建设投资企业。"),
    ("上海金山嘴渔村文化旅游发展有限公司", UnitKind.ENTERPRISE, Town.SHANYANG, "渔村文化景区运营企业。"),
    ("上海金山农业发展有限公司", UnitKind.ENTERPRISE, Town.LANGXIA, "区属农业产业化龙头企业。"),
    ("上海湾区科创孵化器有限公司", UnitKind.ENTERPRISE, Town.INDUSTRIAL_ZONE, "科技企业孵化与创业服务。"),
    ("上海亭林智能装备有限公司", UnitKind.ENTERPRISE, Town.TINGLIN, "智能制造装备研发与生产。"),
    ("上海漕泾化工物流有限公司", UnitKind.ENTERPRISE, Town.CAOJING, "危险化学品仓储与物流服务。"),
    ("上海吕巷水果公园经营管理有限公司", UnitKind.ENTERPRISE, Town.LYUXIANG, "农旅融合园区运营企业。"),
    ("上海枫泾农民画文化发展有限公司", UnitKind.ENTERPRISE, Town.FENGJING, "农民画创作、文创产品开发。"),
    ("上海张堰文创园区运营有限公司", UnitKind.ENTERPRISE, Town.ZHANGYAN, "老厂房改造的文创园区。"),
    ("上海金山生物医药科技有限公司", UnitKind.ENTERPRISE, Town.INDUSTRIAL_ZONE, "生物医药研发与生产企业。"),
]

#: Words to build more units for benchmark-sized runs: (kind, name pattern).
EXTRA_UNIT_PATTERNS: list[tuple[str, str]] = [
    (UnitKind.GRASSROOTS, "{town}第{n}村民委员会"),
    (UnitKind.GRASSROOTS, "{town}第{n}居民委员会"),
    (UnitKind.PUBLIC_INSTITUTION, "{town}社区事务受理服务中心第{n}分中心"),
    (UnitKind.ENTERPRISE, "上海金山{town}第{n}实业有限公司"),
    (UnitKind.TOWN, "{town}第{n}片区管理办公室"),
]

#: Post templates: (title, description, duties, requirements, preferred majors).
_GENERIC_POSTS = [
    (
        "综合办公室助理",
        "在单位办公室参与日常行政运转，了解机关或企业的工作流程。",
        "协助公文收发与归档；会议记录与纪要整理；接待来访并做好登记。",
        "细致认真，熟练使用办公软件，有一定文字功底。",
        "行政管理、汉语言文学、文秘",
    ),
    (
        "新媒体运营助理",
        "参与单位微信公众号、视频号等新媒体平台的内容策划与运营。",
        "撰写推文和活动稿件；拍摄剪辑短视频；统计阅读数据并提出改进建议。",
        "熟悉主流新媒体平台，会使用图片和视频编辑软件者优先。",
        "新闻传播、广告学、数字媒体",
    ),
    (
        "数据统计分析助理",
        "参与业务数据的整理、统计与分析，为决策提供参考。",
        "收集整理业务台账；用 Excel 或 Python 做统计分析；撰写数据简报。",
        "具备统计学基础，熟练使用 Excel，会编程者优先。",
        "统计学、数学、经济学、计算机",
    ),
    (
        "调研与文稿助理",
        "围绕单位年度重点工作开展专题调研，形成调研报告。",
        "设计问卷并实地走访；整理访谈材料；协助起草调研报告和信息简报。",
        "有较强的沟通能力和写作能力，能适应外出走访。",
        "社会学、公共管理、经济学",
    ),
    (
        "活动策划助理",
        "参与单位主题活动、志愿服务和宣传活动的策划与组织。",
        "拟定活动方案；联络参与人员；现场组织与后勤保障；活动总结。",
        "性格开朗，有学生会或社团活动组织经历者优先。",
        "不限",
    ),
]

POST_TEMPLATES: dict[str, list[tuple[str, str, str, str, str]]] = {
    UnitKind.DISTRICT_BUREAU: [
        (
            "政策研究助理",
            "参与本部门重点政策的梳理、比较研究和解读材料编写。",
            "收集国内外同类政策；整理政策汇编；协助起草政策解读和问答。",
            "逻辑清晰，文字表达能力强，关注时政。",
            "法学、公共管理、经济学",
        ),
        (
            "项目申报与管理助理",
            "参与市级、区级专项资金项目的申报、评审和跟踪管理。",
            "整理项目申报材料；建立项目台账；跟踪项目进度并汇总报表。",
            "认真负责，熟练使用 Excel。",
            "财务管理、工程管理、经济学",
        ),
        (
            "人才服务专员助理",
            "参与人才引进、就业见习和创业扶持等政策的宣传与服务。",
            "接待咨询并解答政策；整理人才信息库；协助组织招聘会和创业路演。",
            "热情耐心，普通话标准。",
            "人力资源管理、心理学、公共管理",
        ),
        (
            "法治宣传助理",
            "参与普法宣传、合法性审查和行政复议材料整理。",
            "编写普法宣传材料；协助整理案卷；参与社区普法活动。",
            "法学专业优先，具备基本法律检索能力。",
            "法学",
        ),
        *_GENERIC_POSTS,
    ],
    UnitKind.TOWN: [
        (
            "乡村振兴调研助理",
            "深入村居了解产业发展、人居环境和乡村治理情况。",
            "走访村居和农户；整理乡村振兴示范村资料；撰写调研报告。",
            "吃苦耐劳，能适应下村走访。",
            "农学、社会学、城乡规划",
        ),
        (
            "营商环境服务助理",
            "在企业服务中心参与企业走访、诉求收集和政策兑现。",
            "陪同走访企业；登记企业诉求并跟踪办理；整理惠企政策清单。",
            "沟通能力强，有经济或管理背景者优先。",
            "经济学、工商管理、国际贸易",
        ),
        (
            "城市运行管理助理",
            "在城运中心参与网格化管理、城市运行数据的监测与分析。",
            "监看城运平台工单；统计分析案件数据；协助现场核查。",
            "细心负责，能适应轮班。",
            "计算机、地理信息系统、公共管理",
        ),
        (
            "文旅推广助理",
            "参与本镇文化旅游资源的挖掘、整理和对外推广。",
            "整理文旅资源资料；策划推广活动；撰写宣传文案，拍摄图片视频。",
            "热爱家乡文化，有摄影或写作特长者优先。",
            "旅游管理、新闻传播、历史学",
        ),
        *_GENERIC_POSTS,
    ],
    UnitKind.GRASSROOTS: [
        (
            "社区治理助理",
            "在村居委会参与基层治理和为民服务的日常工作。",
            "参与居民议事会；协助走访独居老人；整理社区台账和居民信息。",
            "有耐心，愿意和居民打交道，能说金山话者优先。",
            "社会工作、社会学、公共管理",
        ),
        (
            "垃圾分类与环境整治宣传员",
            "参与生活垃圾分类指导和人居环境整治宣传。",
            "定时定点值守指导分类；入户宣传；整理整治前后影像资料。",
            "吃苦耐劳，能适应户外工作。",
            "环境科学、不限",
        ),
        (
            "为老服务志愿者协调员",
            "参与睦邻点、老年活动室的活动组织和志愿者调度。",
            "组织老年人文体活动；排班志愿者；协助开展智能手机使用培训。",
            "有爱心和耐心，有志愿服务经历者优先。",
            "社会工作、护理、心理学",
        ),
        (
            "青少年暑托班辅导员",
            "在社区暑托班为中小学生提供学习辅导和兴趣课程。",
            "辅导作业；开设兴趣课程；保障学生安全并与家长沟通。",
            "有家教或支教经历者优先。",
            "师范类、不限",
        ),
        *_GENERIC_POSTS[:3],
    ],
    UnitKind.PUBLIC_INSTITUTION: [
        (
            "阅读推广与读者服务助理",
            "参与公共文化场馆的读者服务和全民阅读推广活动。",
            "参与借还咨询服务；策划读书会和讲座；整理馆藏和数字资源。",
            "热爱阅读，有活动策划经验者优先。",
            "图书馆学、汉语言文学、教育学",
        ),
        (
            "展陈讲解与社教助理",
            "参与展览讲解、社会教育活动和文物资料整理。",
            "学习并担任讲解员；协助社教活动；整理文物和档案资料。",
            "普通话标准，形象气质佳，对地方历史有兴趣。",
            "历史学、博物馆学、播音主持",
        ),
        (
            "档案数字化助理",
            "参与馆藏档案的整理、数字化与著录工作。",
            "档案扫描与图像质检；按规范著录元数据；协助编研地方志资料。",
            "细致耐心，能坐得住。",
            "档案学、信息管理、历史学",
        ),
        (
            "公共卫生服务助理",
            "参与健康监测、健康教育和公共卫生数据整理。",
            "整理监测数据；制作健康教育材料；协助社区健康宣传活动。",
            "医学或公共卫生相关专业优先。",
            "预防医学、公共卫生、护理",
        ),
        *_GENERIC_POSTS,
    ],
    UnitKind.ENTERPRISE: [
        (
            "研发实验助理",
            "在企业研发中心参与新产品、新工艺的实验与测试。",
            "按规程准备样品并记录实验数据；协助分析测试结果；遵守安全生产规范。",
            "化学、材料或生物相关专业，具备基本实验技能。",
            "化学工程、材料科学、生物工程",
        ),
        (
            "质量管理助理",
            "参与质量体系运行、来料和成品检验。",
            "协助质量检验并填写记录；整理质量体系文件；参与内审。",
            "认真严谨，了解 ISO 9001 者优先。",
            "质量管理、机械工程、化学",
        ),
        (
            "人事行政助理",
            "参与企业招聘、培训和员工关系等人力资源工作。",
            "筛选简历与安排面试；组织新员工培训；维护员工档案。",
            "沟通能力好，熟悉劳动法基础知识者优先。",
            "人力资源管理、工商管理",
        ),
        (
            "市场与电商运营助理",
            "参与产品市场推广、电商平台运营和客户服务。",
            "维护电商店铺；策划线上活动；整理销售数据与客户反馈。",
            "熟悉电商平台和直播带货者优先。",
            "市场营销、电子商务、国际贸易",
        ),
        (
            "安全生产与环保助理",
            "参与企业安全生产、环境保护的日常检查与宣传培训。",
            "参与安全巡检并记录隐患；整理环保台账；协助组织安全培训。",
            "安全工程或环境相关专业优先，能适应车间环境。",
            "安全工程、环境工程、化学工程",
        ),
        *_GENERIC_POSTS[:3],
    ],
}

SURNAMES = (
    "张王陈朱沈顾徐陆金周姚蒋钱吴李杨黄孙胡郁卫曹倪唐许马高林何郭范潘施蔡戴邵俞褚盛龚杜严丁方宋袁冯程赵汤孔邱杭计"
    "宣瞿诸蔚封薛叶夏谢韩邹黎傅董于冯奚"
)
#: Surnames drawn more often: the ones most common in Jinshan.
COMMON_SURNAMES = "张王陈朱沈顾徐陆金周姚蒋吴李"
GIVEN_MALE = "伟杰浩宇俊涛鹏磊轩博文皓晨辰昊然睿哲凯毅翔峰斌志健铭旭阳天明嘉诚子豪逸泽云飞晟"
GIVEN_FEMALE = "婷怡静雯佳琪敏丽芳颖欣悦雨涵诗晴琳洁蕾倩瑶萱雪梦玥妍菲慧蓉薇璐婕晓茜佩"

#: (name, overseas)
UNIVERSITIES: list[tuple[str, bool]] = [
    (name, False)
    for name in [
        "复旦大学",
        "上海交通大学",
        "同济大学",
        "华东师范大学",
        "华东理工大学",
        "上海财经大学",
        "上海大学",
        "东华大学",
        "上海外国语大学",
        "华东政法大学",
        "上海理工大学",
        "上海师范大学",
        "上海海事大学",
        "上海海洋大学",
        "上海电力大学",
        "上海应用技术大学",
        "上海工程技术大学",
        "上海对外经贸大学",
        "上海中医药大学",
        "上海体育大学",
        "上海音乐学院",
        "上海戏剧学院",
        "上海政法学院",
        "上海立信会计金融学院",
        "上海商学院",
        "上海第二工业大学",
        "上海电机学院",
        "上海健康医学院",
        "上海杉达学院",
        "上海建桥学院",
        "上海视觉艺术学院",
        "上海海关学院",
        "上海科技大学",
        "上海纽约大学",
        "上海出版印刷高等专科学校",
        "上海旅游高等专科学校",
        "上海城建职业学院",
        "上海农林职业技术学院",
        "上海工艺美术职业学院",
        "上海电子信息职业技术学院",
        "上海交通职业技术学院",
        "上海思博职业技术学院",
        "上海中侨职业技术大学",
        "上海行健职业学院",
        "上海震旦职业学院",
        "上海东海职业技术学院",
        "上海济光职业技术学院",
        "上海民航职业技术学院",
        "浙江大学",
        "南京大学",
        "东南大学",
        "武汉大学",
        "华中科技大学",
        "中山大学",
        "厦门大学",
        "北京大学",
        "清华大学",
        "中国人民大学",
        "北京师范大学",
        "南开大学",
        "天津大学",
        "山东大学",
        "四川大学",
        "西安交通大学",
        "哈尔滨工业大学",
        "吉林大学",
        "大连理工大学",
        "中南大学",
        "湖南大学",
        "重庆大学",
        "电子科技大学",
        "兰州大学",
        "苏州大学",
        "南京师范大学",
        "南京航空航天大学",
        "南京理工大学",
        "河海大学",
        "江南大学",
        "中国药科大学",
        "浙江工业大学",
        "浙江工商大学",
        "杭州电子科技大学",
        "宁波大学",
        "浙江师范大学",
        "中国美术学院",
        "嘉兴学院",
        "安徽大学",
        "合肥工业大学",
        "中国科学技术大学",
        "南昌大学",
        "福州大学",
        "郑州大学",
        "华南理工大学",
        "暨南大学",
        "北京外国语大学",
        "中国政法大学",
        "对外经济贸易大学",
        "中央财经大学",
        "西南财经大学",
        "中南财经政法大学",
        "西交利物浦大学",
    ]
] + [
    (name, True)
    for name in [
        "伦敦大学学院",
        "曼彻斯特大学",
        "爱丁堡大学",
        "悉尼大学",
        "墨尔本大学",
        "多伦多大学",
        "新加坡国立大学",
        "南洋理工大学",
        "早稻田大学",
        "香港大学",
        "香港中文大学",
        "纽约大学",
        "南加利福尼亚大学",
        "伊利诺伊大学厄巴纳-香槟分校",
    ]
]

#: Universities that are vocational colleges: their students study for an associate degree.
VOCATIONAL_MARKERS = ("职业", "专科")

MAJORS = [
    "汉语言文学",
    "新闻学",
    "广告学",
    "英语",
    "日语",
    "法学",
    "社会学",
    "社会工作",
    "行政管理",
    "公共事业管理",
    "经济学",
    "金融学",
    "国际经济与贸易",
    "会计学",
    "财务管理",
    "工商管理",
    "市场营销",
    "人力资源管理",
    "电子商务",
    "旅游管理",
    "统计学",
    "数学与应用数学",
    "计算机科学与技术",
    "软件工程",
    "数据科学与大数据技术",
    "电子信息工程",
    "自动化",
    "机械设计制造及其自动化",
    "土木工程",
    "城乡规划",
    "建筑学",
    "化学工程与工艺",
    "应用化学",
    "材料科学与工程",
    "高分子材料与工程",
    "环境工程",
    "生物工程",
    "药学",
    "临床医学",
    "护理学",
    "预防医学",
    "农学",
    "园艺",
    "风景园林",
    "历史学",
    "档案学",
    "图书馆学",
    "心理学",
    "学前教育",
    "小学教育",
    "视觉传达设计",
    "数字媒体艺术",
    "播音与主持艺术",
]

#: Majors with five-year programmes (years of study up to 5).
FIVE_YEAR_MAJORS = frozenset({"临床医学", "建筑学", "城乡规划"})

STATEMENTS = [
    "我是土生土长的金山人，希望利用假期回到家乡，了解{unit}的工作，把课堂所学用到实践中。",
    "我的专业是{major}，与该岗位要求比较契合，希望在{unit}锻炼自己的实际工作能力。",
    "去年参加过“金种子”短期岗位，收获很大，今年希望继续报名，更深入地了解家乡发展。",
    "毕业后有意回金山就业，希望通过挂职锻炼提前熟悉{unit}的工作，为将来做准备。",
    "我在学校担任学生干部，有活动组织和文字写作经验，相信能胜任该岗位的工作。",
    "希望通过这次挂职，了解家乡在乡村振兴和城市发展方面的新变化，也为家乡出一份力。",
    "我对{unit}的工作很感兴趣，曾参与过相关的社会实践，希望有机会跟着带教老师学习。",
]

REJECT_REASONS = [
    "专业与岗位要求差距较大。",
    "年级与岗位要求不符。",
    "报名人数较多，优先考虑更契合的同学。",
    "岗位时间与学生在校安排冲突。",
]
WITHDRAW_REASONS = ["已接受其他岗位录用。", "暑期另有实习安排。", "学校安排了暑期课程。", "家庭原因无法参加。"]
DECLINE_REASONS = ["已接受其他岗位。", "岗位地点通勤不便。", "时间安排冲突。"]
NOT_SELECTED_REASONS = ["面试综合排名靠后，列入备选名单。", "岗位名额已满。"]

MENTOR_TITLES = [
    "科长",
    "副科长",
    "主任科员",
    "办公室主任",
    "副主任",
    "项目主管",
    "部门经理",
    "高级工程师",
    "馆员",
    "社工",
]

#: Assessment comments of the archived cycle (the year before the open one), by the grade the assessor proposes.
ASSESSMENT_COMMENTS: dict[str, list[str]] = {
    "excellent": [
        "工作主动认真，能独立完成调研和材料撰写，表现突出。",
        "学习能力强，积极承担急难任务，得到同事一致好评。",
        "思路清晰，提出的改进建议被科室采纳，综合表现优秀。",
    ],
    "good": [
        "工作认真负责，能按时完成交办的任务。",
        "态度端正，与同事相处融洽，业务上进步明显。",
        "出勤良好，能较好地完成日常工作，文字材料规范。",
        "积极参加单位活动，沟通顺畅，完成质量较好。",
    ],
    "pass": [
        "能完成基本工作任务，主动性有待加强。",
        "出勤基本正常，建议今后多与带教老师沟通。",
    ],
}
#: The demo student's own assessments in the archived cycle (mentor, coordinator).
DEMO_ASSESSMENT_COMMENTS = (
    "工作认真细致，主动承担社保政策宣传材料的整理，完成质量高。",
    "出勤率高，与同事配合默契，积极参加单位活动。",
)

#: Forum feedback of the archived cycle: (topic, body, answer, adopted, what was done).
#: The third one is the demo student's. ``{next}`` is the open cycle's edition in Chinese
#: numerals (九 for 2020): the builder fills it in.
ARCHIVE_FEEDBACK: list[tuple[str, str, str, bool, str]] = [
    (
        "activities",
        "希望“学子看金山”能增加工业区和科创企业的参观点，多了解家乡的产业发展。",
        "感谢建议。下一届将增加金山工业区和湾区科创企业的参访线路。",
        True,
        "第{next}届“学子看金山”新增金山工业区、湾区科创孵化器两个参访点。",
    ),
    (
        "living",
        "部分镇村岗位离公交站较远，希望提前告知交通方式，或协调就近的岗位。",
        "已与各单位沟通，今后在岗位信息中写明交通方式。",
        True,
        "岗位发布页增加“交通提示”；单程通勤超过一小时的同学可申请调整到就近岗位。",
    ),
    (
        "mentoring",
        "建议带教老师在到岗第一周和学生一起制定挂职计划，明确每周的任务和目标。",
        "建议很好，已纳入带教老师工作要求。",
        True,
        "第{next}届起，带教老师在到岗第一周与学生共同填写《挂职锻炼计划表》，中期对照检查。",
    ),
    (
        "organisation",
        "小组活动能否都安排在周末？工作日晚上有时赶不回来。",
        "小组活动由组长和班委商定时间，原则上安排在周末；确有冲突的可请假。",
        False,
        "",
    ),
]


#: A coordinator's review notes: [for an applicant kept on] and [for one not shortlisted].
REVIEW_NOTES = [
    [
        "陈述具体，对岗位职责有准备，建议入围面试。",
        "专业对口，有相关实践经历。",
        "表达清楚，熟悉家乡情况，态度积极。",
        "",
    ],
    [
        "专业与岗位要求差距较大。",
        "个人陈述较为笼统，未体现对岗位的了解。",
        "岗位期间有课程安排，时间难以保证。",
    ],
]

#: What the archived cycle's alumni who graduate in the open cycle's year will do:
#: (activity, sector, employer, back in Jinshan).
ALUMNI_JOBS = [
    ("working", "公共管理", "金山区人力资源和社会保障局", True),
    ("working", "化工新材料", "上海金石化工新材料有限公司", True),
    ("business", "乡村旅游", "枫泾农家乐民宿工作室", True),
    ("working", "互联网", "上海某互联网科技有限公司", False),
    ("working", "教育", "金山区朱泾第二中学", True),
    ("studying", "", "复旦大学（硕士）", False),
]
