#include "metricspanel.h"

#include <QFormLayout>
#include <QLabel>
#include <QLocale>

MetricsPanel::MetricsPanel(QWidget *parent)
    : QWidget(parent)
    , m_form(new QFormLayout(this))
{
    m_form->setContentsMargins(0, 0, 0, 0);
    m_form->setLabelAlignment(Qt::AlignLeft);
}

void MetricsPanel::setScenario(const il::ScenarioInfo &info)
{
    while (m_form->rowCount() > 0)
        m_form->removeRow(0);
    m_values.clear();
    for (const auto &name : info.metrics) {
        auto *value = new QLabel;
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setWordWrap(true); // lists (completion order, speedups) wrap in the panel
        value->setObjectName(QString::fromStdString(name));
        m_form->addRow(QString::fromStdString(name) + ':', value);
        m_values[name] = value;
    }
    clearValues();
}

void MetricsPanel::clearValues()
{
    for (auto &[name, label] : m_values)
        label->setText(QStringLiteral("—"));
}

void MetricsPanel::setMetrics(const il::Json &metrics)
{
    clearValues();
    if (!metrics.is_object())
        return;
    for (auto &[name, label] : m_values) {
        if (metrics.contains(name))
            label->setText(formatValue(metrics[name]));
    }
}

QString MetricsPanel::valueText(const QString &metric) const
{
    const auto it = m_values.find(metric.toStdString());
    return it == m_values.end() ? QString() : it->second->text();
}

QString MetricsPanel::formatValue(const il::Json &value)
{
    const QLocale locale;
    if (value.is_boolean())
        return value.get<bool>() ? QStringLiteral("yes") : QStringLiteral("no");
    if (value.is_number_integer())
        return locale.toString(qlonglong(value.get<std::int64_t>()));
    if (value.is_number())
        return locale.toString(value.get<double>(), 'f', 2);
    if (value.is_array()) {
        QStringList parts;
        for (const auto &v : value)
            parts << formatValue(v);
        return parts.join(QStringLiteral(", "));
    }
    if (value.is_string())
        return QString::fromStdString(value.get<std::string>());
    if (value.is_object()) { // e.g. {"mean": 1.5, "max": 4}: "mean 1.50, max 4"
        QStringList parts;
        for (const auto &[key, v] : value.items())
            parts << QString::fromStdString(key) + QLatin1Char(' ') + formatValue(v);
        return parts.join(QStringLiteral(", "));
    }
    return QString::fromStdString(value.dump());
}
