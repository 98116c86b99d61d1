#pragma once
#include <QWidget>

#include "scenario.h"

#include <vector>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QSlider;
class QSpinBox;

// One row per declared parameter, built from a scenario's ParamSpec list: a number is
// a slider and a spin box kept in step, labelled with name, unit and range; a choice
// is a combo box; an on/off switch is a check box.
class ParamsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ParamsPanel(QWidget *parent = nullptr);

    void setScenario(const il::ScenarioInfo &info);
    il::ParamValues values() const;
    void setValues(const il::ParamValues &values);
    void resetToDefaults();

    QSlider *slider(const QString &key) const;
    QSpinBox *spinBox(const QString &key) const;
    QComboBox *comboBox(const QString &key) const;
    QCheckBox *checkBox(const QString &key) const;

signals:
    void valuesChanged();

private:
    struct Row {
        il::ParamSpec spec;
        QSlider *slider = nullptr; // numbers
        QSpinBox *spin = nullptr;
        QComboBox *combo = nullptr; // choices
        QCheckBox *check = nullptr; // on/off
        std::int64_t value() const;
        void setValue(std::int64_t v) const;
    };
    const Row *row(const QString &key) const;
    Row addNumber(const il::ParamSpec &spec);
    Row addChoice(const il::ParamSpec &spec);
    Row addToggle(const il::ParamSpec &spec);

    QFormLayout *m_form;
    std::vector<Row> m_rows;
};
