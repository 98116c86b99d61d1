#include "runtitle.h"

#include "params.h"

#include <QStringList>

QString runTitle(const il::ScenarioInfo &info, const il::ParamValues &params)
{
    QStringList parts;
    for (const auto &p : info.params) {
        const auto it = params.find(p.key);
        if (it != params.end())
            parts << QStringLiteral("%1=%2").arg(
                QString::fromStdString(p.key),
                QString::fromStdString(il::param_text(p, it->second)));
    }
    return QStringLiteral("%1 — %2").arg(QString::fromStdString(info.title),
                                         parts.join(QStringLiteral(", ")));
}
