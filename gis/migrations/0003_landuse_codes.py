"""Seed the current land-use codes of Circular 27/2018/TT-BTNMT (kept as data: lists change)."""

from django.db import migrations

CODES = [
    ("ODT", "Đất ở tại đô thị", "Đất ở"),
    ("ONT", "Đất ở tại nông thôn", "Đất ở"),
    ("TMD", "Đất thương mại, dịch vụ", "Đất sản xuất, kinh doanh phi nông nghiệp"),
    ("SKC", "Đất cơ sở sản xuất phi nông nghiệp", "Đất sản xuất, kinh doanh phi nông nghiệp"),
    ("SKK", "Đất khu công nghiệp", "Đất sản xuất, kinh doanh phi nông nghiệp"),
    ("SKN", "Đất cụm công nghiệp", "Đất sản xuất, kinh doanh phi nông nghiệp"),
    ("TSC", "Đất xây dựng trụ sở cơ quan", "Đất chuyên dùng"),
    ("CQP", "Đất quốc phòng", "Đất chuyên dùng"),
    ("CAN", "Đất an ninh", "Đất chuyên dùng"),
    ("DVH", "Đất xây dựng cơ sở văn hóa", "Đất xây dựng công trình sự nghiệp"),
    ("DYT", "Đất xây dựng cơ sở y tế", "Đất xây dựng công trình sự nghiệp"),
    ("DGD", "Đất xây dựng cơ sở giáo dục và đào tạo", "Đất xây dựng công trình sự nghiệp"),
    ("DTT", "Đất xây dựng cơ sở thể dục thể thao", "Đất xây dựng công trình sự nghiệp"),
    ("DKH", "Đất xây dựng cơ sở khoa học và công nghệ", "Đất xây dựng công trình sự nghiệp"),
    ("DXH", "Đất xây dựng cơ sở dịch vụ xã hội", "Đất xây dựng công trình sự nghiệp"),
    ("DTS", "Đất xây dựng trụ sở của tổ chức sự nghiệp", "Đất xây dựng công trình sự nghiệp"),
    ("DGT", "Đất giao thông", "Đất có mục đích công cộng"),
    ("DTL", "Đất thủy lợi", "Đất có mục đích công cộng"),
    ("DNL", "Đất công trình năng lượng", "Đất có mục đích công cộng"),
    ("DBV", "Đất công trình bưu chính, viễn thông", "Đất có mục đích công cộng"),
    ("DCH", "Đất chợ", "Đất có mục đích công cộng"),
    ("DRA", "Đất bãi thải, xử lý chất thải", "Đất có mục đích công cộng"),
    ("DDT", "Đất có di tích lịch sử - văn hóa", "Đất có mục đích công cộng"),
    ("DKV", "Đất khu vui chơi, giải trí công cộng", "Đất có mục đích công cộng"),
    ("DSH", "Đất sinh hoạt cộng đồng", "Đất có mục đích công cộng"),
    ("TON", "Đất cơ sở tôn giáo", "Đất phi nông nghiệp khác"),
    ("TIN", "Đất cơ sở tín ngưỡng", "Đất phi nông nghiệp khác"),
    ("NTD", "Đất làm nghĩa trang, nghĩa địa, nhà tang lễ, nhà hỏa táng", "Đất phi nông nghiệp khác"),
    ("SON", "Đất sông, ngòi, kênh, rạch, suối", "Đất phi nông nghiệp khác"),
    ("MNC", "Đất có mặt nước chuyên dùng", "Đất phi nông nghiệp khác"),
    ("LUC", "Đất chuyên trồng lúa nước", "Đất nông nghiệp"),
    ("LUK", "Đất trồng lúa nước còn lại", "Đất nông nghiệp"),
    ("HNK", "Đất bằng trồng cây hàng năm khác", "Đất nông nghiệp"),
    ("CLN", "Đất trồng cây lâu năm", "Đất nông nghiệp"),
    ("RSX", "Đất rừng sản xuất", "Đất nông nghiệp"),
    ("RPH", "Đất rừng phòng hộ", "Đất nông nghiệp"),
    ("RDD", "Đất rừng đặc dụng", "Đất nông nghiệp"),
    ("NTS", "Đất nuôi trồng thủy sản", "Đất nông nghiệp"),
    ("LMU", "Đất làm muối", "Đất nông nghiệp"),
    ("NKH", "Đất nông nghiệp khác", "Đất nông nghiệp"),
    ("BCS", "Đất bằng chưa sử dụng", "Đất chưa sử dụng"),
    ("DCS", "Đất đồi núi chưa sử dụng", "Đất chưa sử dụng"),
    ("NCS", "Núi đá không có rừng cây", "Đất chưa sử dụng"),
]


def seed(apps, schema_editor):
    LandUseType = apps.get_model("spatial", "LandUseType")
    for code, name, group in CODES:
        LandUseType.objects.update_or_create(code=code, defaults={"name": name, "group": group})


def unseed(apps, schema_editor):
    apps.get_model("spatial", "LandUseType").objects.filter(code__in=[c for c, _n, _g in CODES]).delete()


class Migration(migrations.Migration):
    dependencies = [("spatial", "0002_core")]
    operations = [migrations.RunPython(seed, unseed)]
