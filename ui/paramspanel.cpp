#include "paramspanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>

#include <cmath>

namespace {

// Wide ranges (1 to 10,000,000) get a logarithmic slider so that small values stay
// reachable by dragging; the spin box always holds the exact value.
constexpr int kLogSteps = 1000;

bool isLogarithmic(const il::ParamSpec &p)
{
    return p.min >= 1 && p.max / p.min > 1000;
}

int sliderPosition(const il::ParamSpec &p, std::int64_t v)
{
    if (!isLogarithmic(p))
        return int(v);
    const double t = std::log(double(v) / double(p.min)) / std::log(double(p.max) / double(p.min));
    return int(std::lround(t * kLogSteps));
}

std::int64_t valueAt(const il::ParamSpec &p, int position)
{
    if (!isLogarithmic(p))
        return position;
    const double t = double(position) / kLogSteps;
    const double v = double(p.min) * std::pow(double(p.max) / double(p.min), t);
    // Round to two significant digits so dragging gives tidy numbers.
    const double magnitude = std::pow(10.0, std::floor(std::log10(v)) - 1);
    const auto tidy = std::int64_t(std::llround(std::round(v / magnitude) * magnitude));
    return std::clamp(tidy, p.min, p.max);
}

QString rangeText(const il::ParamSpec &p)
{
    const QLocale locale;
    QString s =
        locale.toString(qlonglong(p.min)) + QStringLiteral("–") + locale.toString(qlonglong(p.max));
    if (!p.unit.empty())
        s += ' ' + QString::fromStdString(p.unit);
    return s;
}

} // namespace

ParamsPanel::ParamsPanel(QWidget *parent)
    : QWidget(parent)
    , m_form(new QFormLayout(this))
{
    m_form->setContentsMargins(0, 0, 0, 0);
    m_form->setRowWrapPolicy(QFormLayout::WrapAllRows);
}

void ParamsPanel::setScenario(const il::ScenarioInfo &info)
{
    while (m_form->rowCount() > 0)
        m_form->removeRow(0);
    m_rows.clear();

    for (const auto &spec : info.params) {
        switch (spec.kind) {
        case il::ParamKind::Int: m_rows.push_back(addNumber(spec)); break;
        case il::ParamKind::Choice: m_rows.push_back(addChoice(spec)); break;
        case il::ParamKind::Bool: m_rows.push_back(addToggle(spec)); break;
        }
    }
    resetToDefaults();
}

ParamsPanel::Row ParamsPanel::addNumber(const il::ParamSpec &spec)
{
    auto *slider = new QSlider(Qt::Horizontal);
    auto *spin = new QSpinBox;
    spin->setRange(int(spec.min), int(spec.max));
    spin->setGroupSeparatorShown(true);
    spin->setAccelerated(true);
    if (!spec.unit.empty())
        spin->setSuffix(' ' + QString::fromStdString(spec.unit));
    spin->setMinimumWidth(spin->fontMetrics().horizontalAdvance(
                              QLocale().toString(qlonglong(spec.max)) + spin->suffix()) +
                          40);
    if (isLogarithmic(spec)) {
        slider->setRange(0, kLogSteps);
        slider->setPageStep(kLogSteps / 10);
    } else {
        slider->setRange(int(spec.min), int(spec.max));
        slider->setPageStep(std::max(1, int((spec.max - spec.min) / 10)));
    }
    const QString key = QString::fromStdString(spec.key);
    slider->setObjectName(key + QStringLiteral("Slider"));
    spin->setObjectName(key + QStringLiteral("Spin"));
    slider->setToolTip(rangeText(spec));
    spin->setToolTip(rangeText(spec));

    connect(slider, &QSlider::valueChanged, this, [this, spec, spin](int position) {
        const QSignalBlocker block(spin);
        spin->setValue(int(valueAt(spec, position)));
        emit valuesChanged();
    });
    connect(spin, &QSpinBox::valueChanged, this, [this, spec, slider](int value) {
        const QSignalBlocker block(slider);
        slider->setValue(sliderPosition(spec, value));
        emit valuesChanged();
    });

    auto *field = new QWidget;
    auto *h = new QHBoxLayout(field);
    h->setContentsMargins(0, 0, 0, 0);
    h->addWidget(slider, 1);
    h->addWidget(spin);
    auto *label =
        new QLabel(QStringLiteral("<b>%1</b> <span style='color:gray'>(%2)</span>")
                       .arg(QString::fromStdString(spec.label).toHtmlEscaped(), rangeText(spec)));
    label->setBuddy(spin);
    m_form->addRow(label, field);
    Row row{spec};
    row.slider = slider;
    row.spin = spin;
    return row;
}

ParamsPanel::Row ParamsPanel::addChoice(const il::ParamSpec &spec)
{
    auto *combo = new QComboBox;
    for (const auto &name : spec.choices)
        combo->addItem(QString::fromStdString(name));
    combo->setObjectName(QString::fromStdString(spec.key) + QStringLiteral("Combo"));
    connect(combo, &QComboBox::currentIndexChanged, this, &ParamsPanel::valuesChanged);
    auto *label = new QLabel(
        QStringLiteral("<b>%1</b>").arg(QString::fromStdString(spec.label).toHtmlEscaped()));
    label->setBuddy(combo);
    m_form->addRow(label, combo);
    Row row{spec};
    row.combo = combo;
    return row;
}

ParamsPanel::Row ParamsPanel::addToggle(const il::ParamSpec &spec)
{
    auto *check = new QCheckBox(QString::fromStdString(spec.label));
    check->setObjectName(QString::fromStdString(spec.key) + QStringLiteral("Check"));
    connect(check, &QCheckBox::toggled, this, &ParamsPanel::valuesChanged);
    m_form->addRow(check);
    Row row{spec};
    row.check = check;
    return row;
}

std::int64_t ParamsPanel::Row::value() const
{
    if (combo)
        return combo->currentIndex();
    if (check)
        return check->isChecked() ? 1 : 0;
    return spin->value();
}

void ParamsPanel::Row::setValue(std::int64_t v) const
{
    v = std::clamp(v, spec.min, spec.max);
    if (combo) {
        combo->setCurrentIndex(int(v));
    } else if (check) {
        check->setChecked(v != 0);
    } else {
        spin->setValue(int(v));
        const QSignalBlocker block(slider); // spin → slider even when unchanged
        slider->setValue(sliderPosition(spec, spin->value()));
    }
}

void ParamsPanel::resetToDefaults()
{
    il::ParamValues defaults;
    for (const auto &row : m_rows)
        defaults[row.spec.key] = row.spec.def;
    setValues(defaults);
}

il::ParamValues ParamsPanel::values() const
{
    il::ParamValues v;
    for (const auto &row : m_rows)
        v[row.spec.key] = row.value();
    return v;
}

void ParamsPanel::setValues(const il::ParamValues &values)
{
    for (const auto &row : m_rows) {
        const auto it = values.find(row.spec.key);
        row.setValue(it != values.end() ? it->second : row.value());
    }
}

const ParamsPanel::Row *ParamsPanel::row(const QString &key) const
{
    for (const auto &r : m_rows)
        if (QString::fromStdString(r.spec.key) == key)
            return &r;
    return nullptr;
}

QSlider *ParamsPanel::slider(const QString &key) const
{
    const Row *r = row(key);
    return r ? r->slider : nullptr;
}

QSpinBox *ParamsPanel::spinBox(const QString &key) const
{
    const Row *r = row(key);
    return r ? r->spin : nullptr;
}

QComboBox *ParamsPanel::comboBox(const QString &key) const
{
    const Row *r = row(key);
    return r ? r->combo : nullptr;
}

QCheckBox *ParamsPanel::checkBox(const QString &key) const
{
    const Row *r = row(key);
    return r ? r->check : nullptr;
}
