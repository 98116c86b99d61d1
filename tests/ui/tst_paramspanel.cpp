#include "params.h"
#include "paramspanel.h"
#include "registry.h"

#include <QCheckBox>
#include <QComboBox>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTest>

class TstParamsPanel : public QObject {
    Q_OBJECT
private slots:
    void oneRowPerDeclaredParameter_data()
    {
        QTest::addColumn<QString>("id");
        for (const auto &s : il::scenarios())
            QTest::newRow(s->info().id.c_str()) << QString::fromStdString(s->info().id);
    }

    void oneRowPerDeclaredParameter()
    {
        QFETCH(QString, id);
        const il::ScenarioInfo &info = il::find_scenario(id.toStdString())->info();
        ParamsPanel panel;
        panel.setScenario(info);
        qsizetype numbers = 0, choices = 0, toggles = 0;
        for (const auto &p : info.params) {
            const QString key = QString::fromStdString(p.key);
            switch (p.kind) {
            case il::ParamKind::Int: {
                ++numbers;
                QSpinBox *spin = panel.spinBox(key);
                QVERIFY(spin);
                QCOMPARE(spin->minimum(), int(p.min));
                QCOMPARE(spin->maximum(), int(p.max));
                QCOMPARE(spin->value(), int(p.def));
                QVERIFY(panel.slider(key));
                break;
            }
            case il::ParamKind::Choice:
                ++choices;
                QVERIFY(panel.comboBox(key));
                QCOMPARE(panel.comboBox(key)->count(), int(p.choices.size()));
                QCOMPARE(panel.comboBox(key)->currentIndex(), int(p.def));
                break;
            case il::ParamKind::Bool:
                ++toggles;
                QVERIFY(panel.checkBox(key));
                QCOMPARE(panel.checkBox(key)->isChecked(), p.def != 0);
                break;
            }
        }
        QCOMPARE(panel.findChildren<QSlider *>().size(), numbers);
        QCOMPARE(panel.findChildren<QSpinBox *>().size(), numbers);
        QCOMPARE(panel.findChildren<QComboBox *>().size(), choices);
        QCOMPARE(panel.findChildren<QCheckBox *>().size(), toggles);
        QCOMPARE(panel.values(), il::default_params(info));
    }

    // The execution-model scenarios switch mechanism with a choice box, not a number.
    void executionModelsOfferAChoiceBox_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QStringList>("choices");
        QTest::newRow("async") << "async"
                               << "mode" << QStringList{"event_loop", "thread_per_task"};
        QTest::newRow("parallelism") << "parallelism"
                                     << "affinity" << QStringList{"one_core", "all_cores"};
    }

    void executionModelsOfferAChoiceBox()
    {
        QFETCH(QString, id);
        QFETCH(QString, key);
        QFETCH(QStringList, choices);
        ParamsPanel panel;
        panel.setScenario(il::find_scenario(id.toStdString())->info());
        QComboBox *combo = panel.comboBox(key);
        QVERIFY(combo);
        QStringList shown;
        for (int i = 0; i < combo->count(); ++i)
            shown << combo->itemText(i);
        QCOMPARE(shown, choices);
        combo->setCurrentIndex(1);
        QCOMPARE(panel.values().at(key.toStdString()), 1);
    }

    void sliderAndSpinBoxMoveTogether()
    {
        ParamsPanel panel;
        panel.setScenario(il::find_scenario("semaphore")->info());
        QSignalSpy changed(&panel, &ParamsPanel::valuesChanged);
        QSlider *slider = panel.slider(QStringLiteral("permits"));
        slider->setValue(5);
        QCOMPARE(panel.spinBox(QStringLiteral("permits"))->value(), 5);
        QCOMPARE(panel.values().at("permits"), 5);
        QVERIFY(changed.count() >= 1);

        panel.spinBox(QStringLiteral("workers"))->setValue(9);
        QCOMPARE(panel.slider(QStringLiteral("workers"))->value(), 9);
    }

    void wideRangesUseALogarithmicSlider()
    {
        ParamsPanel panel;
        panel.setScenario(il::find_scenario("race")->info());
        QSlider *slider = panel.slider(QStringLiteral("increments"));
        QSpinBox *spin = panel.spinBox(QStringLiteral("increments"));
        slider->setValue(slider->minimum());
        QCOMPARE(spin->value(), 1);
        slider->setValue(slider->maximum());
        QCOMPARE(spin->value(), 10'000'000);
        slider->setValue((slider->minimum() + slider->maximum()) / 2);
        QVERIFY(spin->value() > 1000 && spin->value() < 10'000); // the middle of 1..10^7 is ~3,000
        spin->setValue(100'000);
        QCOMPARE(panel.values().at("increments"), 100'000);
    }

    void choicesAndSwitchesChangeTheValues()
    {
        ParamsPanel panel;
        panel.setScenario(il::find_scenario("philosophers")->info());
        QSignalSpy changed(&panel, &ParamsPanel::valuesChanged);
        panel.comboBox(QStringLiteral("strategy"))->setCurrentText(QStringLiteral("waiter"));
        panel.checkBox(QStringLiteral("jitter"))->setChecked(true);
        QCOMPARE(panel.values().at("strategy"), 2);
        QCOMPARE(panel.values().at("jitter"), 1);
        QCOMPARE(changed.count(), 2);
        panel.resetToDefaults();
        QCOMPARE(panel.values().at("strategy"), 0);
        QCOMPARE(panel.values().at("jitter"), 0);
    }

    void outOfRangeValuesAreClamped()
    {
        ParamsPanel panel;
        panel.setScenario(il::find_scenario("race")->info());
        panel.setValues({{"threads", 1000}, {"increments", -5}});
        QCOMPARE(panel.values().at("threads"), 64);
        QCOMPARE(panel.values().at("increments"), 1);
    }
};

QTEST_MAIN(TstParamsPanel)
#include "tst_paramspanel.moc"
